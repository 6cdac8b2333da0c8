// User text echoed into a status line: control characters (a newline would end the plugin's
// first line, an escape could repaint a terminal) become '?'.
#pragma once

#include <string>
#include <string_view>

namespace mfsmon {

inline bool IsControl(unsigned char c) {
    return c < ' ' || c == 0x7F;
}

inline std::string ControlCharsReplaced(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (IsControl(static_cast<unsigned char>(c))) c = '?';
    }
    return out;
}

}  // namespace mfsmon
