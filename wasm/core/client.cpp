#include "wasm/core/client.hpp"

#include <algorithm>
#include <limits>
#include <type_traits>
#include <utility>

#include "protocol/flow_control.hpp"
#include "protocol/frame.hpp"

// A note on re-entrancy: user callbacks may call back into the Client, and
// may even forget_closed() sockets. So no Socket reference is used after a
// user callback returns; code looks the socket up again by id instead.
// Wire observers are the exception: they must not call into the Client.

namespace sockgate::client {

using nlohmann::json;

namespace {

ErrorInfo error(std::string code, std::string message) { return ErrorInfo{std::move(code), std::move(message)}; }

// Adapts a typed callback to the raw JSON reply that requests carry.
template <class T>
std::function<void(Result<json>)> typed(Client::Callback<T> done) {
    return [done = std::move(done)](Result<json> reply) {
        if (!done) return;
        if (!reply) return done(reply.error());
        if constexpr (std::is_same_v<T, Done>) {
            done(Done{});
        } else if constexpr (std::is_same_v<T, json>) {
            done(std::move(reply.value()));
        } else {
            // Typed replies were already validated by apply_reply; parsing
            // again cannot fail in practice, but never let it throw here.
            std::optional<T> value;
            ErrorInfo failure;
            try {
                value = reply.value().template get<T>();
            } catch (const proto::ProtocolError& e) {
                failure = error("EBADMSG", e.what());
            } catch (const json::exception& e) {
                failure = error("EBADMSG", e.what());
            }
            if (value)
                done(std::move(*value));
            else
                done(std::move(failure));
        }
    };
}

template <class T>
void fail_now(const Client::Callback<T>& done, ErrorInfo why) {
    if (done) done(std::move(why));
}

SocketKind kind_for_reply(const std::string& op) {
    if (op == proto::op::listen) return SocketKind::tcp_listener;
    if (op == proto::op::bind) return SocketKind::udp;
    return SocketKind::tcp_stream;
}

}  // namespace

const char* to_string(SessionState state) {
    switch (state) {
        case SessionState::connecting:
            return "connecting";
        case SessionState::open:
            return "open";
        case SessionState::ready:
            return "ready";
        case SessionState::closing:
            return "closing";
        case SessionState::closed:
            return "closed";
    }
    return "unknown";
}

Client::Client(Transport& transport, ClientOptions options) : transport_(transport), options_(options) {
    transport_.set_handler(this);
}

Client::~Client() { transport_.set_handler(nullptr); }

// ---------------------------------------------------------------- session

int64_t Client::hello(std::optional<std::string> token, Callback<proto::HelloReply> done) {
    proto::HelloRequest request;
    request.token = std::move(token);
    return start_request(proto::op::hello, request, 0, typed(std::move(done)));
}

void Client::close_session(uint16_t code, std::string reason) {
    if (state_ == SessionState::closing || state_ == SessionState::closed) return;
    state_ = SessionState::closing;
    transport_.close(code, std::move(reason));
}

void Client::on_open() {
    if (state_ != SessionState::connecting) return;
    state_ = SessionState::open;
    if (events_.on_open) events_.on_open();
}

void Client::on_close(uint16_t code, std::string_view reason) {
    if (state_ == SessionState::closed) return;
    state_ = SessionState::closed;
    session_close_ = SessionClose{code, std::string(reason)};

    const std::string why = "session closed (WebSocket close code " + std::to_string(code) +
                            (reason.empty() ? "" : ": " + std::string(reason)) + ")";
    for (uint32_t id : socket_ids()) {
        Socket* s = find(id);
        if (s && s->info.state != SocketState::closed) mark_closed(*s, error("ECONNRESET", why));
    }
    // Callbacks may start new requests; those fail at once (ENOTCONN).
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, p] : pending)
        if (p.done) p.done(error("ECONNRESET", why));

    if (events_.on_session_closed) events_.on_session_closed(code, reason);
}

// ---------------------------------------------------------------- requests

int64_t Client::connect(const proto::ConnectRequest& request, Callback<proto::SocketReply> done) {
    return start_request(proto::op::connect, request, 0, typed(std::move(done)));
}

int64_t Client::connect(const std::string& host, uint16_t port, Callback<proto::SocketReply> done) {
    proto::ConnectRequest request;
    request.host = host;
    request.port = port;
    return connect(request, std::move(done));
}

int64_t Client::listen(const proto::ListenRequest& request, Callback<proto::SocketReply> done) {
    return start_request(proto::op::listen, request, 0, typed(std::move(done)));
}

int64_t Client::bind(const proto::BindRequest& request, Callback<proto::SocketReply> done) {
    return start_request(proto::op::bind, request, 0, typed(std::move(done)));
}

int64_t Client::shutdown(uint32_t sock, Callback<Done> done) {
    if (Status st = check_writable(sock, SocketKind::tcp_stream); !st) {
        fail_now(done, st.error());
        return 0;
    }
    Socket& s = *find(sock);
    s.info.shutdown_sent = true;
    // The gateway must see every queued byte before the FIN.
    const bool defer = !s.out.empty();
    return start_request(proto::op::shutdown, proto::SockRequest{sock}, sock, typed(std::move(done)), defer);
}

int64_t Client::close(uint32_t sock, Callback<Done> done) {
    if (!transport_open()) {
        fail_now(done, error("ENOTCONN", "session is not open"));
        return 0;
    }
    Socket* s = find(sock);
    if (!s || s->info.state != SocketState::open) {
        fail_now(done, error("EBADF", "no open socket " + std::to_string(sock)));
        return 0;
    }
    s->info.state = SocketState::closing;
    s->out.clear();
    s->info.queued = 0;
    const int64_t deferred = std::exchange(s->deferred_shutdown_id, 0);
    s->deferred_shutdown_text.clear();
    const int64_t id = start_request(proto::op::close, proto::SockRequest{sock}, sock, typed(std::move(done)));
    if (deferred) finish_request(deferred, error("ECANCELED", "socket closed before shutdown"));
    return id;
}

int64_t Client::resolve(const std::string& host, Callback<proto::ResolveReply> done) {
    return start_request(proto::op::resolve, proto::ResolveRequest{host}, 0, typed(std::move(done)));
}

int64_t Client::request(const std::string& op, const json& fields, Callback<json> done) {
    uint32_t sock = 0;
    if (op == proto::op::close || op == proto::op::shutdown) {
        auto it = fields.find("sock");
        if (it != fields.end() && it->is_number_integer() && it->get<int64_t>() >= 0 &&
            it->get<int64_t>() <= int64_t(std::numeric_limits<uint32_t>::max()))
            sock = uint32_t(it->get<int64_t>());
    }
    return start_request(op, fields, sock, typed(std::move(done)));
}

int64_t Client::start_request(const std::string& op, const json& fields, uint32_t sock, RawDone done,
                              bool defer_until_drained) {
    if (!transport_open()) {
        if (done) done(error("ENOTCONN", "session is not open"));
        return 0;
    }
    const int64_t id = next_id_++;
    std::string text = proto::make_request(op, id, fields);
    pending_.emplace(id, Pending{op, sock, std::move(done)});
    if (defer_until_drained) {
        Socket& s = *find(sock);
        s.deferred_shutdown_id = id;
        s.deferred_shutdown_text = std::move(text);
    } else {
        write_text(std::move(text));
    }
    return id;
}

void Client::finish_request(int64_t id, Result<json> result) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    Pending p = std::move(it->second);
    pending_.erase(it);
    if (!result.ok()) apply_failed_reply(p);
    if (p.done) p.done(std::move(result));
}

void Client::on_reply(const proto::Envelope& env) {
    const int64_t id = *env.id;
    auto it = pending_.find(id);
    if (it == pending_.end()) {
        bad_input("EPROTO", "reply '" + env.op + "' with unknown id " + std::to_string(id));
        return;
    }
    Pending p = std::move(it->second);
    pending_.erase(it);

    Result<json> result = error("EBADMSG", "");
    if (env.op != p.op) {
        const std::string why =
            "reply op '" + env.op + "' for request " + std::to_string(id) + " which was '" + p.op + "'";
        bad_input("EPROTO", why);
        result = error("EPROTO", why);
    } else if (auto ok = env.body.find("ok"); ok == env.body.end() || !ok->is_boolean()) {
        const std::string why = "reply '" + env.op + "' has no boolean field 'ok'";
        bad_input("EBADMSG", why);
        result = error("EBADMSG", why);
    } else if (ok->get<bool>()) {
        result = apply_reply(p, env);
    } else {
        auto e = env.body.find("error");
        std::optional<ErrorInfo> info;
        if (e != env.body.end()) {
            try {
                info = e->get<ErrorInfo>();
            } catch (const proto::ProtocolError&) {  // no string "code"
            } catch (const json::exception&) {
            }
        }
        if (!info) {
            const std::string why = "error reply '" + env.op + "' without a valid 'error' object";
            bad_input("EBADMSG", why);
            info = error("EBADMSG", why);
        }
        result = std::move(*info);
    }
    if (!result.ok()) apply_failed_reply(p);
    if (p.done) p.done(std::move(result));
}

// Updates the session and the socket table for a successful reply, before
// the requester's callback sees it. A reply missing its fields fails the
// request with EBADMSG.
Result<json> Client::apply_reply(const Pending& p, const proto::Envelope& env) {
    try {
        if (p.op == proto::op::hello) {
            auto reply = proto::read_message<proto::HelloReply>(env);
            if (reply.max_frame <= proto::kFrameHeaderSize)
                bad_input("EPROTO",
                          "hello reply max_frame " + std::to_string(reply.max_frame) + " leaves no room for data");
            hello_ = reply;
            if (state_ == SessionState::open) state_ = SessionState::ready;
        } else if (p.op == proto::op::connect || p.op == proto::op::listen || p.op == proto::op::bind) {
            auto reply = proto::read_message<proto::SocketReply>(env);
            Socket& s = add_socket(reply.sock, kind_for_reply(p.op));
            s.info.local = reply.local;
            s.info.remote = reply.remote;
        } else if (p.op == proto::op::close) {
            if (Socket* s = find(p.sock)) mark_closed(*s, std::nullopt);
        } else if (p.op == proto::op::resolve) {
            (void)proto::read_message<proto::ResolveReply>(env);
        }
    } catch (const proto::ProtocolError& e) {
        const std::string why = std::string("bad reply: ") + e.what();
        bad_input("EBADMSG", why);
        return error("EBADMSG", why);
    }
    return env.body;
}

// A failed close still ends the socket for us: either the gateway no longer
// knows it (EBADF), or the session is going away.
void Client::apply_failed_reply(const Pending& p) {
    if (p.op != proto::op::close) return;
    Socket* s = find(p.sock);
    if (s && s->info.state == SocketState::closing) mark_closed(*s, std::nullopt);
}

// ---------------------------------------------------------------- events

void Client::on_text(std::string_view text) {
    if (events_.on_wire_text) events_.on_wire_text(Direction::in, text);
    proto::Envelope env;
    try {
        env = proto::parse_envelope(text);
    } catch (const proto::ProtocolError& e) {
        bad_input(e.code(), e.what());
        return;
    }
    if (env.op == proto::op::error)
        on_error_event(env);
    else if (env.id)
        on_reply(env);
    else
        on_event(env);
}

void Client::on_event(const proto::Envelope& env) {
    try {
        if (env.op == proto::op::accept)
            on_accept_event(env);
        else if (env.op == proto::op::eof)
            on_eof_event(env);
        else if (env.op == proto::op::closed)
            on_closed_event(env);
        // Any other is an event of a later protocol version, which a client
        // must ignore (PROTOCOL.md 3.4); the wire tap has still seen it.
    } catch (const proto::ProtocolError& e) {
        // Only read_message throws, before any state changed.
        bad_input("EBADMSG", e.what());
    }
}

void Client::on_accept_event(const proto::Envelope& env) {
    const auto ev = proto::read_message<proto::AcceptEvent>(env);
    const Socket* listener = find(ev.listener);
    if (!listener || listener->info.kind != SocketKind::tcp_listener)
        bad_input("EPROTO", "accept from unknown listener " + std::to_string(ev.listener));
    // Added even then: the gateway holds the socket and may send data on it.
    Socket& s = add_socket(ev.sock, SocketKind::tcp_stream);
    s.info.local = ev.local;
    s.info.remote = ev.remote;
    s.info.listener = ev.listener;
    if (events_.on_accept) events_.on_accept(ev);
}

void Client::on_eof_event(const proto::Envelope& env) {
    const auto ev = proto::read_message<proto::EofEvent>(env);
    Socket* s = find(ev.sock);
    if (!s || s->info.kind != SocketKind::tcp_stream) {
        bad_input("EPROTO", "eof for unknown stream socket " + std::to_string(ev.sock));
        return;
    }
    if (s->info.state != SocketState::open) return;  // raced with our close
    s->info.eof_received = true;
    if (events_.on_eof) events_.on_eof(ev.sock);
}

void Client::on_closed_event(const proto::Envelope& env) {
    const auto ev = proto::read_message<proto::ClosedEvent>(env);
    Socket* s = find(ev.sock);
    if (!s) {
        bad_input("EPROTO", "closed for unknown socket " + std::to_string(ev.sock));
        return;
    }
    if (s->info.state == SocketState::closed) return;
    mark_closed(*s, ev.error);
    if (events_.on_closed) events_.on_closed(ev.sock, ev.error);
}

void Client::on_error_event(const proto::Envelope& env) {
    proto::ErrorEvent ev;
    try {
        ev = proto::read_message<proto::ErrorEvent>(env);
    } catch (const proto::ProtocolError& e) {
        bad_input("EBADMSG", e.what());
        return;
    }
    // An error naming one of our requests is that request's answer.
    if (ev.id) finish_request(*ev.id, ev.error);
    if (events_.on_error) events_.on_error(ev);
}

// ---------------------------------------------------------------- frames

void Client::on_binary(std::string_view bytes) {
    if (events_.on_wire_binary) events_.on_wire_binary(Direction::in, bytes);
    const proto::DecodeResult r = proto::decode_frame(bytes);
    if (!r) {
        std::string why = std::string("bad frame: ") + proto::to_string(r.error);
        if (r.has_sock) why += " (socket " + std::to_string(r.frame.sock) + ")";
        bad_input("EBADMSG", why);
        return;
    }
    const proto::Frame& f = r.frame;
    switch (f.kind) {
        case proto::FrameKind::data:
            on_data_frame(f.sock, f.payload);
            break;
        case proto::FrameKind::datagram:
            on_datagram_frame(f.sock, f.peer_addr, f.peer_port, f.payload);
            break;
        case proto::FrameKind::window:
            on_window_frame(f.sock, f.increment);
            break;
    }
}

void Client::on_data_frame(uint32_t sock, std::string_view payload) {
    const uint64_t n = payload.size();
    const Socket* s = admit_data(sock, n);
    if (!s) return;
    const bool manual = s->info.manual_credit;
    if (events_.on_data) events_.on_data(sock, payload);
    if (!manual)
        if (Socket* again = find(sock)) consumed(*again, n);
}

bool Client::on_data_read_elsewhere(uint32_t sock, uint64_t n) {
    Socket* s = admit_data(sock, n);
    if (!s) return false;
    if (!s->info.manual_credit) consumed(*s, n);
    return true;
}

Client::Socket* Client::admit_data(uint32_t sock, uint64_t n) {
    Socket* s = find(sock);
    // Built only for a report: this runs for every DATA frame.
    auto name = [sock] { return "DATA for socket " + std::to_string(sock); };
    auto reject = [&](const char* why) -> Socket* {
        bad_input("EPROTO", name() + why);
        return nullptr;
    };
    if (!s) return reject(", which is unknown");
    if (s->info.kind != SocketKind::tcp_stream) return reject(", which is not a TCP stream");
    if (s->info.state == SocketState::closing) return nullptr;  // in flight when we closed it
    if (s->info.state == SocketState::closed) return reject(", which is closed");
    if (s->info.eof_received) return reject(" after its eof");

    if (n > s->info.recv_credit) {
        const uint64_t excess = n - s->info.recv_credit;
        s->info.overrun += excess;
        s->info.recv_credit = 0;
        bad_input("EPROTO", name() + " overran the granted credit by " + std::to_string(excess) + " bytes");
        s = find(sock);
        if (!s) return nullptr;
    } else {
        s->info.recv_credit -= n;
    }
    s->info.bytes_in += n;
    if (s->info.manual_credit) s->info.unconsumed += n;
    return s;
}

void Client::on_datagram_frame(uint32_t sock, const proto::IpAddress& addr, uint16_t port, std::string_view payload) {
    if (!admit_datagram(sock, payload.size())) return;
    if (events_.on_datagram) events_.on_datagram(sock, proto::Endpoint{addr.to_string(), port}, payload);
}

bool Client::on_datagram_read_elsewhere(uint32_t sock, uint64_t n) { return admit_datagram(sock, n) != nullptr; }

Client::Socket* Client::admit_datagram(uint32_t sock, uint64_t n) {
    Socket* s = find(sock);
    auto name = [sock] { return "DATAGRAM for socket " + std::to_string(sock); };
    auto reject = [&](const char* why) -> Socket* {
        bad_input("EPROTO", name() + why);
        return nullptr;
    };
    if (!s) return reject(", which is unknown");
    if (s->info.kind != SocketKind::udp) return reject(", which is not UDP");
    if (s->info.state == SocketState::closing) return nullptr;
    if (s->info.state == SocketState::closed) return reject(", which is closed");

    s->info.datagrams_in += 1;
    s->info.bytes_in += n;
    return s;
}

void Client::on_window_read_elsewhere(uint32_t sock, uint32_t increment) { on_window_frame(sock, increment); }

void Client::on_window_frame(uint32_t sock, uint32_t increment) {
    Socket* s = find(sock);
    auto name = [sock] { return "WINDOW for socket " + std::to_string(sock); };
    if (!s) return bad_input("EPROTO", name() + ", which is unknown");
    if (s->info.kind != SocketKind::tcp_stream) return bad_input("EPROTO", name() + ", which is not a TCP stream");
    if (s->info.state != SocketState::open) return;  // credit for a socket we let go
    s->info.send_credit += increment;
    flush(*s);
}

// ---------------------------------------------------------------- data

Status Client::check_writable(uint32_t sock, SocketKind kind) const {
    if (!transport_open()) return error("ENOTCONN", "session is not open");
    const Socket* s = find(sock);
    if (!s || s->info.state != SocketState::open) return error("EBADF", "no open socket " + std::to_string(sock));
    if (s->info.kind != kind)
        return error("EOPNOTSUPP", "socket " + std::to_string(sock) + " is " + proto::describe(s->info.kind) +
                                       ", not " + proto::describe(kind));
    if (kind == SocketKind::tcp_stream && s->info.shutdown_sent)
        return error("EPIPE", "socket " + std::to_string(sock) + " was shut down for writing");
    return Done{};
}

Status Client::send(uint32_t sock, std::string_view bytes) {
    if (Status st = check_writable(sock, SocketKind::tcp_stream); !st) return st;
    Socket& s = *find(sock);
    if (s.out.empty()) {
        // Nothing waits ahead of these bytes: frame what the credit allows
        // straight from the caller's buffer and queue only the rest.
        while (!bytes.empty() && s.info.send_credit > 0) {
            const size_t n = size_t(std::min<uint64_t>({bytes.size(), s.info.send_credit, max_payload()}));
            s.info.send_credit -= n;
            s.info.bytes_out += n;
            write_binary(proto::encode_data(sock, bytes.substr(0, n)));
            bytes.remove_prefix(n);
        }
    }
    s.out.append(bytes);
    s.info.queued = s.out.size();
    return Done{};
}

Result<uint64_t> Client::take_send_credit(uint32_t sock, uint64_t n) {
    if (Status st = check_writable(sock, SocketKind::tcp_stream); !st) return st.error();
    Socket& s = *find(sock);
    if (!s.out.empty()) return uint64_t(0);
    const uint64_t now = std::min(n, s.info.send_credit);
    s.info.send_credit -= now;
    s.info.bytes_out += now;
    return now;
}

Status Client::send_to(uint32_t sock, const std::string& addr, uint16_t port, std::string_view payload) {
    if (Status st = check_writable(sock, SocketKind::udp); !st) return st;
    const auto ip = proto::IpAddress::parse(addr);
    if (!ip) return error("EINVAL", "'" + addr + "' is not a numeric IP address");
    if (Status st = take_datagram_send(sock, ip->family, payload.size()); !st) return st;
    write_binary(proto::encode_datagram(sock, *ip, port, payload));
    return Done{};
}

Status Client::take_datagram_send(uint32_t sock, uint8_t family, uint64_t n) {
    if (Status st = check_writable(sock, SocketKind::udp); !st) return st;
    if (family != 4 && family != 6)
        return error("EINVAL", "address family " + std::to_string(family) + " is not 4 or 6");
    const uint64_t frame_size = proto::datagram_header_size(family) + n;
    if (n > proto::kMaxDatagramPayload || (max_frame() && frame_size > max_frame()))
        return error("EMSGSIZE", "datagram of " + std::to_string(n) + " bytes is too big");
    Socket& s = *find(sock);
    s.info.datagrams_out += 1;
    s.info.bytes_out += n;
    return Done{};
}

void Client::flush(Socket& s) {
    if (s.info.state != SocketState::open || !transport_open() || s.out.empty()) return;
    while (!s.out.empty() && s.info.send_credit > 0) {
        const size_t n = size_t(std::min<uint64_t>(s.info.send_credit, max_payload()));
        std::string frame = s.out.take_frame(s.info.id, n);
        const size_t payload = frame.size() - proto::kFrameHeaderSize;
        s.info.send_credit -= payload;
        s.info.bytes_out += payload;
        write_binary(std::move(frame));
    }
    s.info.queued = s.out.size();
    if (!s.out.empty()) return;

    const uint32_t id = s.info.id;
    if (s.deferred_shutdown_id) {
        s.deferred_shutdown_id = 0;
        write_text(std::exchange(s.deferred_shutdown_text, {}));
    }
    if (events_.on_drained) events_.on_drained(id);
}

Status Client::consume(uint32_t sock, uint64_t n) {
    Socket* s = find(sock);
    if (!s) return error("EBADF", "unknown socket " + std::to_string(sock));
    if (n > s->info.unconsumed)
        return error("EINVAL", "consume(" + std::to_string(n) + ") but only " + std::to_string(s->info.unconsumed) +
                                   " bytes are unconsumed");
    s->info.unconsumed -= n;
    consumed(*s, n);
    return Done{};
}

Status Client::set_manual_credit(uint32_t sock, bool manual) {
    Socket* s = find(sock);
    if (!s) return error("EBADF", "unknown socket " + std::to_string(sock));
    const bool was_manual = s->info.manual_credit;
    s->info.manual_credit = manual;
    if (was_manual && !manual) {
        const uint64_t n = std::exchange(s->info.unconsumed, 0);
        consumed(*s, n);
    }
    return Done{};
}

Status Client::grant_now(uint32_t sock) {
    Socket* s = find(sock);
    if (!s) return error("EBADF", "unknown socket " + std::to_string(sock));
    grant(*s);
    return Done{};
}

void Client::consumed(Socket& s, uint64_t n) {
    s.info.ungranted += n;
    if (s.info.ungranted > 0 && s.info.ungranted >= grant_threshold(s)) grant(s);
}

void Client::grant(Socket& s) {
    // No point granting for a stream that will not carry more data.
    if (s.info.state != SocketState::open || s.info.eof_received || !transport_open()) return;
    if (s.info.kind != SocketKind::tcp_stream || s.info.ungranted == 0) return;
    s.info.ungranted += receive_window_growth(s);
    const auto increment = uint32_t(std::min<uint64_t>(s.info.ungranted, std::numeric_limits<uint32_t>::max()));
    s.info.ungranted -= increment;
    s.info.recv_credit += increment;
    write_binary(proto::encode_window(s.info.id, increment));
}

// Grows the socket's receive window (proto::window_growth, up to the
// gateway's max_window) only while the program has consumed everything
// delivered. A program that reads slowly leaves data unconsumed, so its
// window never grows and what it buffers stays within the window.
uint64_t Client::receive_window_growth(Socket& s) {
    if (!options_.grow_windows || s.info.unconsumed > 0) return 0;
    const uint64_t growth = proto::window_growth(s.info.recv_window, max_window(), s.info.recv_credit);
    s.info.recv_window += growth;
    return growth;
}

uint64_t Client::grant_threshold(const Socket& s) const {
    const uint64_t w = s.info.recv_window;
    const uint64_t t = options_.grant_threshold ? std::min<uint64_t>(options_.grant_threshold, w) : w / 2;
    return std::max<uint64_t>(t, 1);
}

size_t Client::max_payload() const {
    const uint32_t m = max_frame();
    return m > proto::kFrameHeaderSize ? m - proto::kFrameHeaderSize : 1;
}

uint64_t Client::queued(uint32_t sock) const {
    const Socket* s = find(sock);
    return s ? s->out.size() : 0;
}

uint64_t Client::queued_total() const {
    uint64_t total = 0;
    for (const auto& [id, s] : sockets_) total += s.out.size();
    return total;
}

// ---------------------------------------------------------------- socket table

Client::Socket& Client::add_socket(uint32_t id, SocketKind kind) {
    auto it = sockets_.find(id);
    if (it != sockets_.end() && it->second.info.state != SocketState::closed)
        bad_input("EPROTO", "gateway reused socket id " + std::to_string(id) + " while it was open");
    Socket& s = sockets_[id];
    s = Socket{};
    s.info.id = id;
    s.info.kind = kind;
    s.info.manual_credit = options_.manual_credit;
    if (kind == SocketKind::tcp_stream) {
        s.info.send_credit = window();
        s.info.recv_credit = window();
        s.info.recv_window = window();
    }
    return s;
}

void Client::mark_closed(Socket& s, std::optional<ErrorInfo> why) {
    s.info.state = SocketState::closed;
    s.info.close_error = why;
    s.out.clear();
    s.info.queued = 0;
    s.deferred_shutdown_text.clear();
    if (const int64_t id = std::exchange(s.deferred_shutdown_id, 0))
        finish_request(id, why ? *why : error("ECANCELED", "socket closed before shutdown"));
}

Client::Socket* Client::find(uint32_t sock) {
    auto it = sockets_.find(sock);
    return it == sockets_.end() ? nullptr : &it->second;
}

const Client::Socket* Client::find(uint32_t sock) const {
    auto it = sockets_.find(sock);
    return it == sockets_.end() ? nullptr : &it->second;
}

const SocketInfo* Client::socket(uint32_t sock) const {
    const Socket* s = find(sock);
    return s ? &s->info : nullptr;
}

std::vector<uint32_t> Client::socket_ids() const {
    std::vector<uint32_t> ids;
    ids.reserve(sockets_.size());
    for (const auto& [id, s] : sockets_) ids.push_back(id);
    return ids;
}

void Client::forget_closed() {
    for (auto it = sockets_.begin(); it != sockets_.end();) {
        if (it->second.info.state == SocketState::closed)
            it = sockets_.erase(it);
        else
            ++it;
    }
}

// ---------------------------------------------------------------- output

void Client::send_raw_text(std::string text) { write_text(std::move(text)); }
void Client::send_raw_binary(std::string bytes) { write_binary(std::move(bytes)); }

void Client::write_text(std::string text) {
    if (events_.on_wire_text) events_.on_wire_text(Direction::out, text);
    transport_.send_text(std::move(text));
}

void Client::write_binary(std::string bytes) {
    if (events_.on_wire_binary) events_.on_wire_binary(Direction::out, bytes);
    transport_.send_binary(std::move(bytes));
}

void Client::bad_input(std::string code, std::string message) {
    ++bad_input_count_;
    if (events_.on_bad_input) events_.on_bad_input(ErrorInfo{std::move(code), std::move(message)});
}

}  // namespace sockgate::client
