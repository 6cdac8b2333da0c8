#include "cli/explain_command.h"

#include <cstdio>

#include "common/printable.h"
#include "health/codes.h"

namespace mfsmon::cli {

CLI::App* AddExplain(CLI::App& app, ExplainOptions& o) {
    CLI::App* explain = app.add_subcommand(
        "explain", "What a finding code means and what to do; without CODE, list every code");
    explain->add_option("code", o.code, "a finding code, e.g. chunkservers.disconnected");
    explain->add_flag("--markdown", o.markdown, "print the docs page of every code (Markdown)");
    return explain;
}

int RunExplain(const ExplainOptions& o) {
    if (o.markdown) {
        std::fputs(health::CodesMarkdown().c_str(), stdout);
        return 0;
    }
    if (o.code.empty()) {
        std::fputs(health::ListCodes().c_str(), stdout);
        return 0;
    }
    const health::CodeInfo* info = health::FindCode(o.code);
    if (info == nullptr) {
        std::printf("mfsmon: unknown code '%s' (mfsmon explain lists them)\n",
                    ControlCharsReplaced(o.code).c_str());
        return 3;
    }
    std::fputs(health::ExplainCode(*info).c_str(), stdout);
    return 0;
}

}  // namespace mfsmon::cli
