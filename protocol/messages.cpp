#include "protocol/messages.hpp"

#include <limits>

namespace sockgate::proto {

using nlohmann::json;

namespace {

const json& require(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end()) throw ProtocolError("EINVAL", std::string("missing field '") + key + "'");
    return *it;
}

int64_t read_integer(const json& j, const char* key, int64_t lo, int64_t hi) {
    const json& v = require(j, key);
    bool in_range = false;
    int64_t out = 0;
    if (v.is_number_unsigned()) {
        const auto u = v.get<uint64_t>();
        in_range = u <= uint64_t(hi);
        out = int64_t(u);
    } else if (v.is_number_integer()) {
        out = v.get<int64_t>();
        in_range = true;
    } else {
        throw ProtocolError("EINVAL", std::string("field '") + key + "' must be an integer");
    }
    if (!in_range || out < lo || out > hi)
        throw ProtocolError("EINVAL", std::string("field '") + key + "' must be between " + std::to_string(lo) +
                                          " and " + std::to_string(hi));
    return out;
}

template <class T>
void put_optional(json& j, const char* key, const std::optional<T>& v) {
    if (v) j[key] = *v;
}

// The op a reply names: the request's, cut when it is too long to be one.
std::string reply_op(std::string_view op) {
    return op.size() <= kMaxOpLength ? std::string(op) : echo_text(op, kMaxOpLength);
}

// nlohmann's message without its "[json.exception.parse_error.101] " prefix,
// capped: it quotes the token it stopped at, which may be the client's
// whole megabyte.
std::string json_error_text(const char* what) {
    std::string_view text = what;
    if (!text.empty() && text.front() == '[') {
        const auto end = text.find("] ");
        if (end != std::string_view::npos) text.remove_prefix(end + 2);
    }
    return echo_text(text, 160);
}

std::string dump(const json& j) {
    // Strings may echo client input; never throw on invalid UTF-8 while replying.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

uint16_t read_port(const json& j, const char* key) { return uint16_t(read_integer(j, key, 0, 65535)); }

uint32_t read_u32(const json& j, const char* key) {
    return uint32_t(read_integer(j, key, 0, std::numeric_limits<uint32_t>::max()));
}

std::string read_string(const json& j, const char* key) {
    const json& v = require(j, key);
    if (!v.is_string()) throw ProtocolError("EINVAL", std::string("field '") + key + "' must be a string");
    return v.get<std::string>();
}

namespace {

// A host: a string of at most kMaxHostLength bytes (longer is no DNS name or
// address, and would be quoted whole in resolve and connect errors).
std::string read_host(const json& j, const char* key) {
    std::string host = read_string(j, key);
    if (host.size() > kMaxHostLength)
        throw ProtocolError(
            "EINVAL", std::string("field '") + key + "' is longer than " + std::to_string(kMaxHostLength) + " bytes");
    return host;
}

}  // namespace

bool is_valid_op(std::string_view op) {
    if (op.empty() || op.size() > kMaxOpLength) return false;
    for (const char c : op)
        if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
    return true;
}

void to_json(json& j, const Endpoint& e) { j = json{{"addr", e.addr}, {"port", e.port}}; }
void from_json(const json& j, Endpoint& e) {
    e.addr = read_string(j, "addr");
    e.port = read_port(j, "port");
}

void to_json(json& j, const HelloRequest& v) {
    j = json{{"version", v.version}};
    put_optional(j, "token", v.token);
}
void from_json(const json& j, HelloRequest& v) {
    v.version = int(read_integer(j, "version", std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
    v.token.reset();
    if (j.contains("token")) v.token = read_string(j, "token");
}

void to_json(json& j, const ConnectRequest& v) {
    j = json{{"proto", v.proto}, {"host", v.host}, {"port", v.port}};
    put_optional(j, "timeout_ms", v.timeout_ms);
}
void from_json(const json& j, ConnectRequest& v) {
    v.proto = read_string(j, "proto");
    v.host = read_host(j, "host");
    v.port = read_port(j, "port");
    v.timeout_ms.reset();
    if (j.contains("timeout_ms")) v.timeout_ms = read_u32(j, "timeout_ms");
}

void to_json(json& j, const ListenRequest& v) {
    j = json{{"proto", v.proto}, {"port", v.port}};
    put_optional(j, "host", v.host);
    put_optional(j, "backlog", v.backlog);
}
void from_json(const json& j, ListenRequest& v) {
    v.proto = read_string(j, "proto");
    v.host.reset();
    if (j.contains("host")) v.host = read_host(j, "host");
    v.port = read_port(j, "port");
    v.backlog.reset();
    if (j.contains("backlog")) v.backlog = read_u32(j, "backlog");
}

void to_json(json& j, const BindRequest& v) {
    j = json{{"proto", v.proto}, {"port", v.port}};
    put_optional(j, "host", v.host);
}
void from_json(const json& j, BindRequest& v) {
    v.proto = read_string(j, "proto");
    v.host.reset();
    if (j.contains("host")) v.host = read_host(j, "host");
    v.port = j.contains("port") ? read_port(j, "port") : 0;
}

void to_json(json& j, const SockRequest& v) { j = json{{"sock", v.sock}}; }
void from_json(const json& j, SockRequest& v) { v.sock = read_u32(j, "sock"); }

void to_json(json& j, const ResolveRequest& v) { j = json{{"host", v.host}}; }
void from_json(const json& j, ResolveRequest& v) { v.host = read_host(j, "host"); }

void to_json(json& j, const Limits& v) { j = json{{"sockets", v.sockets}, {"listeners", v.listeners}}; }
void from_json(const json& j, Limits& v) {
    v.sockets = read_u32(j, "sockets");
    v.listeners = read_u32(j, "listeners");
}

void to_json(json& j, const HelloReply& v) {
    j = json{{"version", v.version},       {"server", v.server},       {"session", v.session}, {"window", v.window},
             {"max_window", v.max_window}, {"max_frame", v.max_frame}, {"limits", v.limits}};
}
void from_json(const json& j, HelloReply& v) {
    v.version = int(read_integer(j, "version", 0, std::numeric_limits<int>::max()));
    v.server = read_string(j, "server");
    v.session = read_string(j, "session");
    v.window = read_u32(j, "window");
    v.max_window = j.contains("max_window") ? read_u32(j, "max_window") : v.window;
    if (v.max_window < v.window) throw ProtocolError("EINVAL", "field 'max_window' must not be below 'window'");
    v.max_frame = read_u32(j, "max_frame");
    j.at("limits").get_to(v.limits);
}

void to_json(json& j, const SocketReply& v) {
    j = json{{"sock", v.sock}, {"local", v.local}};
    put_optional(j, "remote", v.remote);
}
void from_json(const json& j, SocketReply& v) {
    v.sock = read_u32(j, "sock");
    j.at("local").get_to(v.local);
    v.remote.reset();
    if (j.contains("remote")) v.remote = j.at("remote").get<Endpoint>();
}

void to_json(json& j, const ResolveReply& v) { j = json{{"addrs", v.addrs}}; }
void from_json(const json& j, ResolveReply& v) {
    const json& addrs = require(j, "addrs");
    if (!addrs.is_array()) throw ProtocolError("EINVAL", "field 'addrs' must be an array");
    v.addrs.clear();
    for (const auto& a : addrs) {
        if (!a.is_string()) throw ProtocolError("EINVAL", "field 'addrs' must hold strings");
        v.addrs.push_back(a.get<std::string>());
    }
}

void to_json(json& j, const AcceptEvent& v) {
    j = json{{"listener", v.listener}, {"sock", v.sock}, {"local", v.local}, {"remote", v.remote}};
}
void from_json(const json& j, AcceptEvent& v) {
    v.listener = read_u32(j, "listener");
    v.sock = read_u32(j, "sock");
    j.at("local").get_to(v.local);
    j.at("remote").get_to(v.remote);
}

void to_json(json& j, const EofEvent& v) { j = json{{"sock", v.sock}}; }
void from_json(const json& j, EofEvent& v) { v.sock = read_u32(j, "sock"); }

void to_json(json& j, const ClosedEvent& v) {
    j = json{{"sock", v.sock}};
    put_optional(j, "error", v.error);
}
void from_json(const json& j, ClosedEvent& v) {
    v.sock = read_u32(j, "sock");
    v.error.reset();
    if (j.contains("error")) v.error = j.at("error").get<ErrorInfo>();
}

void to_json(json& j, const ErrorEvent& v) {
    j = json{{"error", v.error}};
    put_optional(j, "id", v.id);
    put_optional(j, "sock", v.sock);
}
void from_json(const json& j, ErrorEvent& v) {
    j.at("error").get_to(v.error);
    v.id.reset();
    if (j.contains("id"))
        v.id = read_integer(j, "id", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
    v.sock.reset();
    if (j.contains("sock")) v.sock = read_u32(j, "sock");
}

Envelope parse_envelope(std::string_view text) {
    Envelope env;
    try {
        env.body = json::parse(text.begin(), text.end());
    } catch (const json::exception& e) {
        // parse_error, and out_of_range 406 for a number beyond a double (1e400).
        throw ProtocolError("EBADMSG", "malformed JSON: " + json_error_text(e.what()));
    }
    if (!env.body.is_object()) throw ProtocolError("EBADMSG", "a control message must be a JSON object");
    // The id first, so that an error about the op can name the request.
    auto id_it = env.body.find("id");
    if (id_it != env.body.end()) {
        if (!id_it->is_number_integer() ||
            (id_it->is_number_unsigned() && id_it->get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max())))
            throw ProtocolError("EINVAL", "field 'id' must be an integer that fits in 64 signed bits");
        env.id = id_it->get<int64_t>();
    }
    auto op_it = env.body.find("op");
    if (op_it == env.body.end() || !op_it->is_string())
        throw ProtocolError("EINVAL", "message has no string field 'op'", env.id);
    const auto& op = op_it->get_ref<const std::string&>();
    if (!is_valid_op(op))
        throw ProtocolError("EINVAL",
                            "field 'op' must be 1 to " + std::to_string(kMaxOpLength) +
                                " characters from a-z and '_', not '" + echo_text(op, 24) + "'",
                            env.id);
    env.op = op;
    return env;
}

std::string make_reply(std::string_view op, int64_t id, const json& result) {
    json j = result.is_object() ? result : json::object();
    j["op"] = reply_op(op);
    j["id"] = id;
    j["ok"] = true;
    return dump(j);
}

std::string make_error_reply(std::string_view op, int64_t id, const ErrorInfo& error) {
    return dump(json{{"op", reply_op(op)}, {"id", id}, {"ok", false}, {"error", error}});
}

std::string make_event(std::string_view op, const json& body) {
    json j = body.is_object() ? body : json::object();
    j["op"] = op;
    return dump(j);
}

std::string make_request(std::string_view op, int64_t id, const json& request) {
    json j = request.is_object() ? request : json::object();
    j["op"] = op;
    j["id"] = id;
    return dump(j);
}

}  // namespace sockgate::proto
