// Errors as values at stage boundaries (in the spirit of RocksDB's Status and folly's
// Expected): every stage that can fail on input it does not control returns Result<T>.
// No exceptions cross a boundary, so "we did not understand the reply" can never be
// swallowed into a default value and shown as OK.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace mfsmon {

enum class ErrorKind {
    kResolve,      // host name could not be resolved
    kConnect,      // refused, unreachable
    kTimeout,      // the run's deadline passed
    kClosed,       // the peer closed the connection
    kIo,           // other socket error
    kErrorPacket,  // the peer sent ANTOAN_UNKNOWN_COMMAND / ANTOAN_BAD_COMMAND_SIZE
    kProtocol,     // a reply we do not understand: type, length, layout, version
    kInvalidArgument,
};

struct Error {
    ErrorKind kind;
    std::string message;  // one line, says what was wrong
};

template <typename T>
class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
    Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(v_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(v_);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(v_));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const {
        assert(!ok());
        return std::get<1>(v_);
    }

  private:
    std::variant<T, Error> v_;
};

// For operations that return nothing but can fail.
struct Unit {};
using Status = Result<Unit>;
inline Status OkStatus() {
    return Unit{};
}

inline Error MakeError(ErrorKind kind, std::string message) {
    return Error{kind, std::move(message)};
}

}  // namespace mfsmon
