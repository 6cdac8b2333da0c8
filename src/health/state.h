// Monitoring Plugins service states; the numeric value is the plugin's exit code.
#pragma once

#include <algorithm>
#include <string_view>

namespace mfsmon::health {

enum class State { kOk = 0, kWarning = 1, kCritical = 2, kUnknown = 3 };

inline std::string_view StateName(State s) {
    switch (s) {
        case State::kOk:
            return "OK";
        case State::kWarning:
            return "WARNING";
        case State::kCritical:
            return "CRITICAL";
        case State::kUnknown:
            return "UNKNOWN";
    }
    return "UNKNOWN";
}

// UNKNOWN outranks CRITICAL: "we could not tell" must never be hidden by a known state.
inline int Rank(State s) {
    switch (s) {
        case State::kOk:
            return 0;
        case State::kWarning:
            return 1;
        case State::kCritical:
            return 2;
        case State::kUnknown:
            return 3;
    }
    return 3;
}

inline State Worst(State a, State b) {
    return Rank(a) >= Rank(b) ? a : b;
}

}  // namespace mfsmon::health
