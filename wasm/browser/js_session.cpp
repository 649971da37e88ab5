#include "wasm/browser/js_session.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <utility>

#include "wasm/browser/js_values.hpp"

namespace sockgate::client::js {

namespace {

// A method name made into a JS string once, not on every event.
EMSCRIPTEN_SYMBOL(onEvent);

// What the wire view gets of each binary frame besides its summary.
constexpr size_t kRawBytes = 128;
// Browsers accept these close codes from a page and nothing else, and a
// close reason of at most 123 bytes (WebSocket.close, WHATWG).
constexpr size_t kMaxCloseReason = 123;

constexpr uint64_t kMaxU32 = std::numeric_limits<uint32_t>::max();
// The largest integer a JS number holds exactly.
constexpr uint64_t kMaxSafeInteger = (uint64_t(1) << 53) - 1;

const char* dir_name(Direction d) { return d == Direction::in ? "in" : "out"; }

val einval(const std::string& problem) { return error("EINVAL", problem); }

// An optional string argument: nullopt for undefined/null.
struct StringArg {
    std::optional<std::string> value;
    bool ok = true;
};
StringArg string_arg(const val& v) {
    if (v.isUndefined() || v.isNull()) return {};
    if (!v.isString()) return {std::nullopt, false};
    return {v.as<std::string>(), true};
}

bool is_byte_array(const val& v) {
    static const val cls = val::global("Uint8Array");
    return v.instanceof (cls);
}

}  // namespace

JsSession::JsSession() : client_(transport_) { wire_events(); }

void JsSession::open(val socket, const std::string& url, val token) {
    if (token.isString()) token_ = token.as<std::string>();
    url_ = url;
    transport_.attach(std::move(socket));
}

void JsSession::transport_binary(val bytes) {
    if (!is_byte_array(bytes)) return;
    transport_.report_binary(bytes_from(bytes));
}

void JsSession::transport_close(int code, const std::string& reason) {
    const bool valid = code >= 0 && code <= 0xffff;
    transport_.report_close(valid ? uint16_t(code) : close_code::abnormal, reason);
}

double JsSession::take_send_credit(uint32_t sock, double n) {
    const Result<uint64_t> now = client_.take_send_credit(sock, uint64_t(n));
    return now ? double(*now) : -1;
}

val JsSession::take_datagram_send(uint32_t sock, int family, double n) {
    if (family != 4 && family != 6) return einval("address family must be 4 or 6");
    const Status st = client_.take_datagram_send(sock, uint8_t(family), uint64_t(n));
    return st ? val::undefined() : error(st.error());
}

val JsSession::address_bytes(const std::string& text) {
    const std::optional<proto::IpAddress> ip = proto::IpAddress::parse(text);
    if (!ip) return val::null();
    return bytes(std::string_view(reinterpret_cast<const char*>(ip->bytes.data()), ip->size()));
}

std::string JsSession::address_text(val array) {
    if (!is_byte_array(array)) return {};
    const std::string raw = bytes_from(array);
    if (raw.size() != 4 && raw.size() != 16) return {};
    proto::IpAddress ip;
    ip.family = raw.size() == 4 ? 4 : 6;
    std::copy(raw.begin(), raw.end(), ip.bytes.begin());
    return ip.to_string();
}

// ---------------------------------------------------------------- events

void JsSession::emit(const char* name, val payload) const {
    if (listener_.isUndefined() || listener_.isNull()) return;
    listener_.call<void>(onEvent_symbol, key(name), payload);
}

void JsSession::emit_table_changed() const { emit("sockets", val::object()); }

void JsSession::wire_events() {
    ClientEvents& ev = client_.events();

    ev.on_open = [this] {
        opened_ = true;
        emit("open", val::object());
        client_.hello(token_, [this](Result<proto::HelloReply> r) {
            // Failed because the session ended: 'sessionclosed' says how.
            if (client_.state() == SessionState::closed) return;
            val payload = val::object();
            payload.set(key("ok"), r.ok());
            if (r)
                payload.set(key("info"), hello_info(*r));
            else
                payload.set(key("error"), error(r.error()));
            emit("hello", payload);
            // A refused hello ends the session; the gateway closes it too,
            // but never leave a half-started session open behind the caller.
            if (!r) client_.close_session(close_code::normal, "hello failed");
        });
    };

    ev.on_data = [this](uint32_t sock, std::string_view data) {
        val payload = val::object();
        payload.set(key("sock"), sock);
        payload.set(key("bytes"), bytes(data));
        emit("data", payload);
        emit_table_changed();
    };

    ev.on_datagram = [this](uint32_t sock, const proto::Endpoint& from, std::string_view data) {
        val payload = val::object();
        payload.set(key("sock"), sock);
        payload.set(key("from"), endpoint(from));
        payload.set(key("bytes"), bytes(data));
        emit("datagram", payload);
        emit_table_changed();
    };

    ev.on_accept = [this](const proto::AcceptEvent& e) {
        val payload = val::object();
        payload.set(key("listener"), e.listener);
        payload.set(key("sock"), e.sock);
        payload.set(key("local"), endpoint(e.local));
        payload.set(key("remote"), endpoint(e.remote));
        emit("accept", payload);
        emit_table_changed();
    };

    ev.on_eof = [this](uint32_t sock) {
        val payload = val::object();
        payload.set(key("sock"), sock);
        emit("eof", payload);
        emit_table_changed();
    };

    ev.on_closed = [this](uint32_t sock, const std::optional<ErrorInfo>& why) {
        val payload = val::object();
        payload.set(key("sock"), sock);
        payload.set(key("error"), why ? error(*why) : val::null());
        emit("closed", payload);
        emit_table_changed();
    };

    ev.on_error = [this](const proto::ErrorEvent& e) {
        val payload = val::object();
        payload.set(key("error"), error(e.error));
        if (e.sock) payload.set(key("sock"), *e.sock);
        if (e.id) payload.set(key("id"), double(*e.id));
        emit("error", payload);
        emit_table_changed();
    };

    ev.on_bad_input = [this](const ErrorInfo& problem) { emit("badinput", error(problem)); };

    ev.on_drained = [this](uint32_t sock) {
        val payload = val::object();
        payload.set(key("sock"), sock);
        emit("drained", payload);
        emit_table_changed();
    };

    ev.on_session_closed = [this](uint16_t code, std::string_view reason) {
        val payload = val::object();
        payload.set(key("code"), code);
        payload.set(key("reason"), std::string(reason));
        // Why a session that never became ready failed, in the terms of a
        // failed connect: the WebSocket could not be opened at all, or the
        // gateway ended it before answering hello.
        const std::string how =
            "WebSocket close code " + std::to_string(code) + (reason.empty() ? "" : ": " + std::string(reason));
        if (!client_.session())
            payload.set(key("error"),
                        opened_ ? error("EPROTO", "session to " + url_ + " closed before the hello reply (" + how + ")")
                                : error("ECONNREFUSED", "cannot open a WebSocket to " + url_ + " (" + how + ")"));
        else
            payload.set(key("error"), val::null());
        emit_table_changed();
        emit("sessionclosed", payload);
    };

    // Observers only: the core forbids calling back into it from here.
    ev.on_wire_text = [this](Direction dir, std::string_view text) {
        if (!wire_tap_) return;
        val payload = val::object();
        payload.set(key("dir"), key(dir_name(dir)));
        payload.set(key("kind"), key("text"));
        payload.set(key("text"), std::string(text));
        emit("wire", payload);
    };

    ev.on_wire_binary = [this](Direction dir, std::string_view frame) {
        if (!wire_tap_) return;
        val payload = val::object();
        payload.set(key("dir"), key(dir_name(dir)));
        payload.set(key("kind"), key("binary"));
        const std::string_view first = frame.substr(0, std::min(frame.size(), kRawBytes));
        const val raw = bytes(first);
        payload.set(key("frame"), frame_summary(frame, raw, first.size()));
        payload.set(key("size"), double(frame.size()));
        payload.set(key("raw"), raw);
        emit("wire", payload);
    };
}

// ---------------------------------------------------------------- requests

template <class T>
val JsSession::track(const std::function<int64_t(Client::Callback<T>)>& start, std::function<val(const T&)> convert,
                     bool changes_table) {
    // The Client fails a request that cannot be sent before returning id 0,
    // by calling the callback at once. The callback tells that case apart by
    // the id not being known yet, and leaves the error for the return value.
    auto id = std::make_shared<int64_t>(0);
    auto failed_at_once = std::make_shared<std::optional<ErrorInfo>>();
    const int64_t assigned =
        start([this, id, failed_at_once, convert = std::move(convert), changes_table](Result<T> r) {
            if (*id == 0) {
                if (!r) *failed_at_once = r.error();
                return;
            }
            val payload = val::object();
            payload.set(key("id"), double(*id));
            payload.set(key("ok"), r.ok());
            if (r)
                payload.set(key("result"), convert(*r));
            else
                payload.set(key("error"), error(r.error()));
            emit("reply", payload);
            if (changes_table) emit_table_changed();
        });
    if (assigned == 0)
        return failed_at_once->has_value() ? error(**failed_at_once) : error("EIO", "request was not sent");
    *id = assigned;
    return val(double(assigned));
}

val JsSession::connect(const std::string& host, val port, val timeout_ms) {
    const IntegerArg p = integer_arg(port, "port", 0, 65535);
    if (!p.problem.empty() || !p.value) return einval("connect: port must be an integer 0-65535");
    const IntegerArg t = integer_arg(timeout_ms, "timeoutMs", 0, kMaxU32);
    if (!t.problem.empty()) return einval("connect: " + t.problem);

    proto::ConnectRequest request;
    request.host = host;
    request.port = uint16_t(*p.value);
    if (t.value) request.timeout_ms = uint32_t(*t.value);
    return track<proto::SocketReply>(
        [&](Client::Callback<proto::SocketReply> done) { return client_.connect(request, std::move(done)); },
        socket_reply, true);
}

val JsSession::listen(val host, val port, val backlog) {
    const StringArg h = string_arg(host);
    if (!h.ok) return einval("listen: host must be a string, null or undefined");
    const IntegerArg p = integer_arg(port, "port", 0, 65535);
    if (!p.problem.empty()) return einval("listen: " + p.problem);
    const IntegerArg b = integer_arg(backlog, "backlog", 0, kMaxU32);
    if (!b.problem.empty()) return einval("listen: " + b.problem);

    proto::ListenRequest request;
    request.host = h.value;
    request.port = uint16_t(p.value.value_or(0));
    if (b.value) request.backlog = uint32_t(*b.value);
    return track<proto::SocketReply>(
        [&](Client::Callback<proto::SocketReply> done) { return client_.listen(request, std::move(done)); },
        socket_reply, true);
}

val JsSession::bind(val host, val port) {
    const StringArg h = string_arg(host);
    if (!h.ok) return einval("bind: host must be a string, null or undefined");
    const IntegerArg p = integer_arg(port, "port", 0, 65535);
    if (!p.problem.empty()) return einval("bind: " + p.problem);

    proto::BindRequest request;
    request.host = h.value;
    request.port = uint16_t(p.value.value_or(0));
    return track<proto::SocketReply>(
        [&](Client::Callback<proto::SocketReply> done) { return client_.bind(request, std::move(done)); }, socket_reply,
        true);
}

val JsSession::shutdown(val sock) {
    const IntegerArg s = integer_arg(sock, "sock", 0, kMaxU32);
    if (!s.problem.empty() || !s.value) return einval("shutdown: sock must be a socket id");
    return track<Done>(
        [&](Client::Callback<Done> done) { return client_.shutdown(uint32_t(*s.value), std::move(done)); },
        [](const Done&) { return val::undefined(); }, true);
}

val JsSession::close(val sock) {
    const IntegerArg s = integer_arg(sock, "sock", 0, kMaxU32);
    if (!s.problem.empty() || !s.value) return einval("close: sock must be a socket id");
    return track<Done>([&](Client::Callback<Done> done) { return client_.close(uint32_t(*s.value), std::move(done)); },
                       [](const Done&) { return val::undefined(); }, true);
}

val JsSession::resolve(const std::string& host) {
    return track<proto::ResolveReply>(
        [&](Client::Callback<proto::ResolveReply> done) { return client_.resolve(host, std::move(done)); },
        resolve_reply, false);
}

val JsSession::request(const std::string& op, const std::string& fields_json) {
    nlohmann::json fields = nlohmann::json::parse(fields_json, nullptr, false);
    if (fields.is_discarded() || !fields.is_object()) return einval("request: fields must be a JSON object");
    return track<nlohmann::json>(
        [&](Client::Callback<nlohmann::json> done) { return client_.request(op, fields, std::move(done)); },
        [](const nlohmann::json& reply) { return json(reply); }, true);
}

// ---------------------------------------------------------------- data

val JsSession::send(val sock, val data) {
    const IntegerArg s = integer_arg(sock, "sock", 0, kMaxU32);
    if (!s.problem.empty() || !s.value) return einval("send: sock must be a socket id");
    if (!is_byte_array(data)) return einval("send: data must be a Uint8Array");
    const Status st = client_.send(uint32_t(*s.value), bytes_from(data));
    if (!st) return error(st.error());
    emit_table_changed();
    return val::undefined();
}

val JsSession::send_to(val sock, const std::string& addr, val port, val data) {
    const IntegerArg s = integer_arg(sock, "sock", 0, kMaxU32);
    if (!s.problem.empty() || !s.value) return einval("sendTo: sock must be a socket id");
    const IntegerArg p = integer_arg(port, "port", 0, 65535);
    if (!p.problem.empty() || !p.value) return einval("sendTo: port must be an integer 0-65535");
    if (!is_byte_array(data)) return einval("sendTo: data must be a Uint8Array");
    const Status st = client_.send_to(uint32_t(*s.value), addr, uint16_t(*p.value), bytes_from(data));
    if (!st) return error(st.error());
    emit_table_changed();
    return val::undefined();
}

// ---------------------------------------------------------------- manual credit

val JsSession::set_manual_credit(val sock, bool manual) {
    const IntegerArg s = integer_arg(sock, "sock", 0, kMaxU32);
    if (!s.problem.empty() || !s.value) return einval("setManualCredit: sock must be a socket id");
    const Status st = client_.set_manual_credit(uint32_t(*s.value), manual);
    if (!st) return error(st.error());
    return val::undefined();
}

val JsSession::consume(val sock, val n) {
    const IntegerArg s = integer_arg(sock, "sock", 0, kMaxU32);
    if (!s.problem.empty() || !s.value) return einval("consume: sock must be a socket id");
    const IntegerArg count = integer_arg(n, "n", 0, kMaxSafeInteger);
    if (!count.problem.empty() || !count.value) return einval("consume: n must be a byte count");
    const Status st = client_.consume(uint32_t(*s.value), uint64_t(*count.value));
    if (!st) return error(st.error());
    return val::undefined();
}

double JsSession::queued(val sock) const {
    const IntegerArg s = integer_arg(sock, "sock", 0, kMaxU32);
    if (!s.problem.empty() || !s.value) return 0;
    return double(client_.queued(uint32_t(*s.value)));
}

// ---------------------------------------------------------------- session

val JsSession::close_session(val code, const std::string& reason) {
    // Browsers throw from WebSocket.close for other codes and longer reasons;
    // checked here so that the caller gets an error instead of an exception
    // thrown through wasm.
    const IntegerArg c = integer_arg(code, "code", 1000, 4999);
    const bool allowed = c.problem.empty() && (!c.value || *c.value == 1000 || *c.value >= 3000);
    if (!allowed) return einval("closeSession: code must be 1000 or 3000-4999");
    if (reason.size() > kMaxCloseReason) return einval("closeSession: reason is longer than 123 bytes of UTF-8");
    client_.close_session(uint16_t(c.value.value_or(close_code::normal)), reason);
    return val::undefined();
}

val JsSession::sockets() const {
    val rows = val::array();
    for (uint32_t id : client_.socket_ids())
        if (const SocketInfo* s = client_.socket(id)) rows.call<void>("push", socket_row(*s));
    return rows;
}

val JsSession::info() const { return client_.session() ? hello_info(*client_.session()) : val::null(); }

std::string JsSession::state() const { return to_string(client_.state()); }

}  // namespace sockgate::client::js
