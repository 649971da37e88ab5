// Error codes on the wire are errno names ("ECONNREFUSED"), because numeric
// errno values differ between the gateway's libc and the browser's.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
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
    ProtocolError(std::string code, const std::string& message, std::optional<int64_t> id = std::nullopt)
        : std::runtime_error(message), code_(std::move(code)), id_(id) {}
    const std::string& code() const { return code_; }
    ErrorInfo info() const { return {code_, what()}; }
    // The id of the request the message was, when parse_envelope could read
    // one before it gave up (e.g. a bad op name): the error event may carry it.
    const std::optional<int64_t>& id() const { return id_; }

private:
    std::string code_;
    std::optional<int64_t> id_;
};

// Most bytes of client text that an error message quotes (echo_text's default).
inline constexpr size_t kMaxEcho = 64;

// Client text made safe to quote in a reply or error message: at most
// `max_bytes` bytes, cut at a UTF-8 character boundary and followed by "..."
// when cut; control characters and bytes that are not UTF-8 become '?'.
std::string echo_text(std::string_view text, size_t max_bytes = kMaxEcho);

// "ECONNREFUSED" for ECONNREFUSED; "EIO" for values this table does not name.
const char* errno_name(int err);
// The local errno value for a name, or 0 when the name is unknown here.
int errno_from_name(std::string_view name);

}  // namespace sockgate::proto
