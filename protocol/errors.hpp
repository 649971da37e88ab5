// Error codes on the wire are errno names ("ECONNREFUSED"), because numeric
// errno values differ between the gateway's libc and the browser's.
#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace sockgate::proto {

// Codes that are not errno values but travel the same way.
inline constexpr const char* kEaiNoname = "EAI_NONAME";
inline constexpr const char* kEaiAgain = "EAI_AGAIN";

struct ErrorInfo {
    std::string code;
    std::string message;
};

void to_json(nlohmann::json& j, const ErrorInfo& e);
void from_json(const nlohmann::json& j, ErrorInfo& e);

// A request or message that cannot be handled, with the code to report.
class ProtocolError : public std::runtime_error {
public:
    ProtocolError(std::string code, const std::string& message)
        : std::runtime_error(message), code_(std::move(code)) {}
    const std::string& code() const { return code_; }
    ErrorInfo info() const { return {code_, what()}; }

private:
    std::string code_;
};

// "ECONNREFUSED" for ECONNREFUSED; "EIO" for values this table does not name.
const char* errno_name(int err);
// The local errno value for a name, or 0 when the name is unknown here.
int errno_from_name(std::string_view name);

}  // namespace sockgate::proto
