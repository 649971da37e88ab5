// Control messages of sockgate.v1: one JSON object per WebSocket text frame.
// Requests carry "op" and a client-chosen integer "id"; each gets one reply
// with the same op and id and "ok". Events carry "op" and no id.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/address.hpp"
#include "protocol/errors.hpp"

namespace sockgate::proto {

inline constexpr int kProtocolVersion = 1;
inline constexpr const char* kSubprotocol = "sockgate.v1";

namespace op {
inline constexpr const char* hello = "hello";
inline constexpr const char* connect = "connect";
inline constexpr const char* listen = "listen";
inline constexpr const char* bind = "bind";
inline constexpr const char* shutdown = "shutdown";
inline constexpr const char* close = "close";
inline constexpr const char* resolve = "resolve";
// events
inline constexpr const char* accept = "accept";
inline constexpr const char* eof = "eof";
inline constexpr const char* closed = "closed";
inline constexpr const char* error = "error";
}  // namespace op

void to_json(nlohmann::json& j, const Endpoint& e);
void from_json(const nlohmann::json& j, Endpoint& e);

// ---- requests ----
struct HelloRequest {
    int version = kProtocolVersion;
    std::optional<std::string> token;
};
struct ConnectRequest {
    std::string proto = "tcp";
    std::string host;
    uint16_t port = 0;
    std::optional<uint32_t> timeout_ms;
};
struct ListenRequest {
    std::string proto = "tcp";
    std::optional<std::string> host;
    uint16_t port = 0;
    std::optional<uint32_t> backlog;
};
struct BindRequest {
    std::string proto = "udp";
    std::optional<std::string> host;
    uint16_t port = 0;
};
// shutdown and close
struct SockRequest {
    uint32_t sock = 0;
};
struct ResolveRequest {
    std::string host;
};

// ---- replies (fields merged beside op/id/ok) ----
struct Limits {
    uint32_t sockets = 0;
    uint32_t listeners = 0;
};
struct HelloReply {
    int version = kProtocolVersion;
    std::string server;
    std::string session;
    uint32_t window = 0;
    // Largest window a connection may grow to, per direction (§5.3); a
    // gateway that does not send it never grows windows: max_window = window.
    uint32_t max_window = 0;
    uint32_t max_frame = 0;
    Limits limits;
};
struct SocketReply {
    uint32_t sock = 0;
    Endpoint local;
    std::optional<Endpoint> remote;  // connect only
};
struct ResolveReply {
    std::vector<std::string> addrs;
};

// ---- events ----
struct AcceptEvent {
    uint32_t listener = 0;
    uint32_t sock = 0;
    Endpoint local;
    Endpoint remote;
};
struct EofEvent {
    uint32_t sock = 0;
};
struct ClosedEvent {
    uint32_t sock = 0;
    std::optional<ErrorInfo> error;
};
struct ErrorEvent {
    ErrorInfo error;
    std::optional<int64_t> id;     // the request it answers, when it had one
    std::optional<uint32_t> sock;  // the socket a bad frame or datagram named
};

#define SOCKGATE_JSON_DECL(T)                    \
    void to_json(nlohmann::json& j, const T& v); \
    void from_json(const nlohmann::json& j, T& v);
SOCKGATE_JSON_DECL(HelloRequest)
SOCKGATE_JSON_DECL(ConnectRequest)
SOCKGATE_JSON_DECL(ListenRequest)
SOCKGATE_JSON_DECL(BindRequest)
SOCKGATE_JSON_DECL(SockRequest)
SOCKGATE_JSON_DECL(ResolveRequest)
SOCKGATE_JSON_DECL(Limits)
SOCKGATE_JSON_DECL(HelloReply)
SOCKGATE_JSON_DECL(SocketReply)
SOCKGATE_JSON_DECL(ResolveReply)
SOCKGATE_JSON_DECL(AcceptEvent)
SOCKGATE_JSON_DECL(EofEvent)
SOCKGATE_JSON_DECL(ClosedEvent)
SOCKGATE_JSON_DECL(ErrorEvent)
#undef SOCKGATE_JSON_DECL

// An op is 1 to kMaxOpLength characters from [a-z_]; parse_envelope rejects
// anything else with EINVAL, so replies never echo more than that.
inline constexpr size_t kMaxOpLength = 32;
bool is_valid_op(std::string_view op);
// A host field (a DNS name or a numeric address) has at most this many bytes.
inline constexpr size_t kMaxHostLength = 255;

// A parsed text frame: its op, its id if any, and the whole object.
struct Envelope {
    std::string op;
    std::optional<int64_t> id;
    nlohmann::json body;
};

// Throws ProtocolError: EBADMSG when the text is not a JSON object (or holds
// a number beyond a double), EINVAL when "op" is missing, not a string or not
// a valid op name (see is_valid_op), or "id" is not an integer. The error
// carries the id when the message had a readable one. Its message quotes at
// most a short, sanitised prefix of the client's text.
Envelope parse_envelope(std::string_view text);

// Reads a typed message out of an envelope. Missing or ill-typed fields
// throw ProtocolError(EINVAL) with a message naming the op and the field.
template <class T>
T read_message(const Envelope& env) {
    try {
        return env.body.get<T>();
    } catch (const ProtocolError& e) {
        throw ProtocolError(e.code(), echo_text(env.op, kMaxOpLength) + ": " + echo_text(e.what(), 200));
    } catch (const nlohmann::json::exception& e) {
        throw ProtocolError("EINVAL", echo_text(env.op, kMaxOpLength) + ": " + echo_text(e.what(), 200));
    }
}

// {"op", "id", "ok":true, ...fields of result}. An op longer than
// kMaxOpLength is cut (echo_text), never echoed whole.
std::string make_reply(std::string_view op, int64_t id, const nlohmann::json& result);
std::string make_error_reply(std::string_view op, int64_t id, const ErrorInfo& error);
// {"op", ...fields of body}
std::string make_event(std::string_view op, const nlohmann::json& body);
// {"op", "id", ...fields of request}
std::string make_request(std::string_view op, int64_t id, const nlohmann::json& request);

// Field readers that report range and type errors as ProtocolError(EINVAL).
uint16_t read_port(const nlohmann::json& j, const char* key);
uint32_t read_u32(const nlohmann::json& j, const char* key);
std::string read_string(const nlohmann::json& j, const char* key);

}  // namespace sockgate::proto
