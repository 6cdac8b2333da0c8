// `mfsmon explain [CODE] [--markdown]`: what a finding code means and what to do, from the
// one registry (health/codes.h).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace mfsmon::cli {

struct ExplainOptions {
    std::string code;
    bool markdown = false;
};

CLI::App* AddExplain(CLI::App& app, ExplainOptions& options);
int RunExplain(const ExplainOptions& options);

}  // namespace mfsmon::cli
