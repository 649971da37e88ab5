// Result<T>: a value or the protocol's ErrorInfo, for replies and for the
// blocking wrapper's calls.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "protocol/errors.hpp"

namespace sockgate::client {

using proto::ErrorInfo;

// The value of a request whose reply carries no fields (shutdown, close).
struct Done {};

// Error codes that are not errno names and only ever arise locally.
namespace local_error {
// The peer's end of a stream arrived before the data asked for.
inline constexpr const char* eof = "EOF";
}  // namespace local_error

template <class T>
class Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(ErrorInfo error) : v_(std::in_place_index<1>, std::move(error)) {}

    static Result failure(std::string code, std::string message) {
        return Result(ErrorInfo{std::move(code), std::move(message)});
    }

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    // Only when ok().
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }

    // Only when !ok().
    const ErrorInfo& error() const { return std::get<1>(v_); }
    // The error code, or "" when ok(): handy in test assertions.
    std::string code() const { return ok() ? std::string() : error().code; }
    // "CODE: message", or "ok".
    std::string describe() const {
        if (ok()) return "ok";
        const ErrorInfo& e = error();
        return e.message.empty() ? e.code : e.code + ": " + e.message;
    }

private:
    std::variant<T, ErrorInfo> v_;
};

using Status = Result<Done>;

}  // namespace sockgate::client
