// Invariant checks for the fuzz targets: a failed check prints what was expected and
// aborts, which libFuzzer reports as a crash and saves the input as an artifact.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/result.h"

#define FUZZ_CHECK(cond)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                      \
        }                                                                                      \
    } while (false)

namespace mfsmon::fuzz {

// Error::message is documented as "one line, says what was wrong": it ends up on the first
// line of the plugin output, so it must be non-empty and must not break that line.
inline bool IsOneLine(std::string_view message) {
    return !message.empty() && message.find_first_of("\r\n") == std::string_view::npos;
}

inline void CheckError(const Error& e) {
    if (!IsOneLine(e.message)) {
        std::fprintf(stderr, "error message is not one non-empty line: \"");
        for (unsigned char c : e.message) {
            if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
                std::fputc(c, stderr);
            } else {
                std::fprintf(stderr, "\\x%02x", c);
            }
        }
        std::fprintf(stderr, "\"\n");
    }
    FUZZ_CHECK(IsOneLine(e.message));
}

}  // namespace mfsmon::fuzz
