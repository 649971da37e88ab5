#include "gateway/session.hpp"

#include <algorithm>

#include "gateway/fd_limit.hpp"
#include "gateway/host_lookup.hpp"
#include "gateway/tcp_connector.hpp"
#include "gateway/tcp_listener.hpp"
#include "gateway/tcp_stream.hpp"
#include "gateway/udp_socket.hpp"
#include "protocol/close_codes.hpp"

namespace sockgate::gateway {

using nlohmann::json;
using proto::ErrorInfo;
using proto::ProtocolError;
using proto::SocketKind;
namespace close_code = proto::close_code;

namespace {

// A connect may ask for a longer timeout than the default, up to this.
constexpr uint32_t kMaxConnectTimeoutMs = 5 * 60 * 1000;

bool constant_time_equal(const std::string& a, const std::string& b) {
    // Length leaks, contents do not.
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

ErrorInfo frame_error_info(proto::FrameError e) {
    const char* code = e == proto::FrameError::datagram_too_big ? "EMSGSIZE" : "EPROTO";
    return {code, proto::to_string(e)};
}

}  // namespace

Session::Session(asio::io_context& io, const Options& options, const Policy& policy, Metrics& metrics,
                 HostLookup& lookup, std::unique_ptr<WireSink> sink, std::string id)
    : io_(io),
      options_(options),
      policy_(policy),
      metrics_(metrics),
      lookup_(lookup),
      sink_(std::move(sink)),
      id_(std::move(id)),
      hello_timer_(io),
      to_client_bytes_(options.rate_bytes),
      from_client_bytes_(options.rate_bytes),
      connects_(options.rate_connects),
      lookup_slots_(std::make_shared<LookupSlots>()) {}

void Session::start() {
    hello_timer_.expires_after(std::chrono::milliseconds(options_.hello_timeout_ms));
    std::weak_ptr<Session> weak = shared_from_this();
    hello_timer_.async_wait([weak](const asio::error_code& ec) {
        if (auto self = weak.lock()) self->on_hello_deadline(ec);
    });
}

// A WebSocket that never says hello would hold a session slot for as long as
// its client likes, keeping legitimate browsers out.
void Session::on_hello_deadline(const asio::error_code& ec) {
    if (ec || hello_done_ || terminated_) return;
    ++metrics_.sessions_closed_no_hello;
    protocol_violation(close_code::policy_violation,
                       {"ETIMEDOUT", "no hello within " + std::to_string(options_.hello_timeout_ms) +
                                         " ms (gateway flag --hello-timeout-ms)"});
}

Session::~Session() { terminate(); }

// ---- outbound ----

void Session::send_frame(const uint8_t* data, size_t size) {
    if (!terminated_) sink_->send_binary(data, size);
}

void Session::send_text(const std::string& text) {
    if (!terminated_) sink_->send_text(text);
}

size_t Session::wire_backlog() const { return sink_->buffered_amount(); }

void Session::reply(const proto::Envelope& env, const json& result) {
    send_text(proto::make_reply(env.op, *env.id, result));
}

void Session::reply_error(const proto::Envelope& env, const ErrorInfo& error) {
    send_text(proto::make_error_reply(env.op, *env.id, error));
}

void Session::send_error_event(const ErrorInfo& error, std::optional<int64_t> id, std::optional<uint32_t> sock) {
    send_text(proto::make_event(proto::op::error, proto::ErrorEvent{error, id, sock}));
}

void Session::protocol_violation(uint16_t close_code, const ErrorInfo& error) {
    ++metrics_.protocol_errors;
    send_error_event(error);
    sink_->close(close_code, error.message.substr(0, 120));  // close reasons are limited to 123 bytes
}

// ---- inbound ----

void Session::on_text(const std::string& text) {
    if (terminated_) return;
    if (!hello_done_) {
        on_first_message(text);
        return;
    }
    proto::Envelope env;
    try {
        env = proto::parse_envelope(text);
    } catch (const ProtocolError& e) {
        ++metrics_.protocol_errors;
        // When the id could be read, the request gets its answer.
        send_error_event(e.info(), e.id());
        return;
    }
    if (!env.id) {
        ++metrics_.protocol_errors;
        send_error_event({"EINVAL", "request '" + env.op + "' has no integer 'id'"});
        return;
    }
    try {
        dispatch(env);
    } catch (const ProtocolError& e) {
        if (e.code() == "EINVAL" || e.code() == "ENOTSUP") ++metrics_.protocol_errors;
        if (e.code() == "EMFILE" || e.code() == "EAGAIN") ++metrics_.limit_errors;
        if (e.code() == "EACCES") ++metrics_.denied_by_policy;
        reply_error(env, e.info());
    }
}

void Session::on_first_message(const std::string& text) {
    proto::Envelope env;
    try {
        env = proto::parse_envelope(text);
    } catch (const ProtocolError& e) {
        protocol_violation(close_code::policy_violation, {e.code(), "hello must come first: " + std::string(e.what())});
        return;
    }
    if (env.op != proto::op::hello || !env.id) {
        protocol_violation(close_code::policy_violation,
                           {"EINVAL", "hello (with an integer id) must come first, got '" + env.op + "'"});
        return;
    }
    handle_hello(env);
}

void Session::handle_hello(const proto::Envelope& env) {
    proto::HelloRequest req;
    try {
        req = proto::read_message<proto::HelloRequest>(env);
    } catch (const ProtocolError& e) {
        ++metrics_.protocol_errors;
        reply_error(env, e.info());
        sink_->close(close_code::policy_violation, "invalid hello");
        return;
    }
    if (req.version != proto::kProtocolVersion) {
        ++metrics_.protocol_errors;
        reply_error(env, {"EPROTONOSUPPORT", "protocol version " + std::to_string(req.version) +
                                                 " is not supported; this gateway speaks version " +
                                                 std::to_string(proto::kProtocolVersion)});
        sink_->close(close_code::protocol_error, "unsupported protocol version");
        return;
    }
    if (!options_.token.empty() && !constant_time_equal(req.token.value_or(""), options_.token)) {
        ++metrics_.denied_by_policy;
        reply_error(env, {"EACCES", req.token ? "wrong token" : "this gateway requires a token in hello"});
        sink_->close(close_code::policy_violation, "authentication failed");
        return;
    }
    hello_done_ = true;
    hello_timer_.cancel();
    proto::HelloReply out;
    out.server = std::string("sockgate/") + SOCKGATE_VERSION;
    out.session = id_;
    out.window = options_.window;
    out.max_window = options_.max_window;
    out.max_frame = options_.max_frame;
    out.limits = {options_.max_sockets, options_.max_listeners};
    reply(env, out);
}

void Session::dispatch(const proto::Envelope& env) {
    const std::string& op = env.op;
    if (op == proto::op::connect) return handle_connect(env);
    if (op == proto::op::listen) return handle_listen(env);
    if (op == proto::op::bind) return handle_bind(env);
    if (op == proto::op::shutdown) return handle_shutdown(env);
    if (op == proto::op::close) return handle_close(env);
    if (op == proto::op::resolve) return handle_resolve(env);
    if (op == proto::op::hello) throw ProtocolError("EINVAL", "hello was already done for this session");
    throw ProtocolError("ENOTSUP", "unknown op '" + op + "'");
}

void Session::check_socket_limit(bool listener) const {
    // The reserve stays free for refusing connections and answering errors.
    if (metrics_.fds_in_use() + kFdReserve >= metrics_.fd_limit)
        throw ProtocolError("EMFILE", "the gateway has run out of file descriptors (" +
                                          std::to_string(metrics_.fd_limit) +
                                          "); close some sockets or try again later");
    const size_t open = channels_.size() + connecting_.size();
    if (open >= options_.max_sockets)
        throw ProtocolError("EMFILE", "socket limit reached: " + std::to_string(options_.max_sockets) +
                                          " sockets per session (gateway flag --max-sockets)");
    if (listener && listeners_ >= options_.max_listeners)
        throw ProtocolError("EMFILE", "listener limit reached: " + std::to_string(options_.max_listeners) +
                                          " listeners per session (gateway flag --max-listeners)");
}

void Session::check_destination_host(const std::string& host, const char* op) const {
    if (host.empty()) throw ProtocolError("EINVAL", std::string(op) + ": host is empty");
    // The resolver would read the host only up to the NUL: a different host.
    if (host.find('\0') != std::string::npos)
        throw ProtocolError("EINVAL", std::string(op) + ": host contains a NUL character");
}

void Session::check_lookup_limit(const std::string& host, const char* op) const {
    if (lookup_slots_->in_flight >= options_.max_lookups && !numeric_host(host))
        throw ProtocolError("EAGAIN", std::string(op) + ": " + std::to_string(options_.max_lookups) +
                                          " name lookups are already in flight for this session (gateway flag "
                                          "--max-lookups); retry when one has ended");
}

asio::ip::address Session::local_address(const std::optional<std::string>& host) const {
    const std::string text = host.value_or("127.0.0.1");
    if (text == "localhost") return asio::ip::make_address_v4("127.0.0.1");
    asio::error_code ec;
    auto addr = asio::ip::make_address(text, ec);
    if (ec) throw ProtocolError("EINVAL", "host '" + text + "' must be a numeric IPv4 or IPv6 address or localhost");
    return addr;
}

void Session::handle_connect(const proto::Envelope& env) {
    const auto req = proto::read_message<proto::ConnectRequest>(env);
    if (req.proto != "tcp")
        throw ProtocolError("ENOTSUP", "connect supports proto 'tcp'; for UDP use bind and DATAGRAM frames");
    check_destination_host(req.host, "connect");
    if (req.port == 0) throw ProtocolError("EINVAL", "connect: port 0 is not a destination");
    if (req.timeout_ms && (*req.timeout_ms == 0 || *req.timeout_ms > kMaxConnectTimeoutMs))
        throw ProtocolError("EINVAL",
                            "connect: timeout_ms must be between 1 and " + std::to_string(kMaxConnectTimeoutMs));
    check_socket_limit(false);
    check_lookup_limit(req.host, "connect");
    const auto timeout = std::chrono::milliseconds(req.timeout_ms.value_or(options_.connect_timeout_ms));
    const auto delay = connect_delay(timeout);

    const uint64_t key = next_pending_++;
    auto connector = std::make_shared<TcpConnector>(io_, policy_, metrics_, lookup_);
    connecting_.emplace(key, connector);
    ++metrics_.tcp_connecting;
    const int64_t id = *env.id;
    const std::string op = env.op;
    std::weak_ptr<Session> weak = shared_from_this();
    auto on_done = [weak, key, id, op](std::optional<ErrorInfo> error, asio::ip::tcp::socket socket) {
        auto self = weak.lock();
        if (!self || self->terminated_) return;
        self->connecting_.erase(key);
        --self->metrics_.tcp_connecting;
        if (error) {  // the connector counted policy denials
            self->send_text(proto::make_error_reply(op, id, *error));
            return;
        }
        ++self->metrics_.tcp_connects;
        auto s = std::make_shared<TcpStream>(*self, self->next_sock(), std::move(socket));
        self->add_channel(s);
        proto::SocketReply out{s->id(), to_wire(s->local_endpoint()), to_wire(s->remote_endpoint())};
        self->send_text(proto::make_reply(op, id, out));
        s->start();
    };
    connector->start(req.host, req.port, timeout, lookup_slots_, std::move(on_done), delay);
}

// Under --rate-connects, connects past the session's budget queue up, one
// every 1/rate seconds: a program that opens connections in a loop slows
// down instead of failing. One that could not start within its own timeout
// is refused now rather than left to time out.
TokenBucket::Clock::duration Session::connect_delay(std::chrono::milliseconds timeout) {
    const auto now = TokenBucket::Clock::now();
    const auto delay = connects_.wait_for(1, now);
    if (delay >= timeout) {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(delay).count();
        throw ProtocolError(
            "EAGAIN", "connect: this session is over its limit of " + std::to_string(options_.rate_connects) +
                          " new connections a second (gateway flag --rate-connects); this one "
                          "could start only in " +
                          std::to_string(ms) + " ms, after its timeout of " + std::to_string(timeout.count()) + " ms");
    }
    connects_.take(1, now);
    if (delay > TokenBucket::Clock::duration::zero()) ++metrics_.throttled_connects;
    return delay;
}

void Session::handle_listen(const proto::Envelope& env) {
    const auto req = proto::read_message<proto::ListenRequest>(env);
    if (req.proto != "tcp") throw ProtocolError("ENOTSUP", "listen supports proto 'tcp' only; for UDP use bind");
    const auto addr = local_address(req.host);
    const Decision d = policy_.check_bind(to_ip(addr), req.port);
    if (!d.allowed) throw ProtocolError("EACCES", d.reason);
    check_socket_limit(true);

    const uint32_t backlog = std::min(req.backlog.value_or(options_.max_backlog), options_.max_backlog);
    auto acceptor =
        TcpListener::open(io_, asio::ip::tcp::endpoint(addr, req.port), int(std::max<uint32_t>(backlog, 1)));
    auto listener = std::make_shared<TcpListener>(*this, next_sock(), std::move(acceptor));
    add_channel(listener);
    reply(env, proto::SocketReply{listener->id(), to_wire(listener->local_endpoint()), std::nullopt});
    listener->start();
}

void Session::handle_bind(const proto::Envelope& env) {
    const auto req = proto::read_message<proto::BindRequest>(env);
    if (req.proto != "udp") throw ProtocolError("ENOTSUP", "bind supports proto 'udp' only; for TCP use listen");
    const auto addr = local_address(req.host);
    const Decision d = policy_.check_bind(to_ip(addr), req.port);
    if (!d.allowed) throw ProtocolError("EACCES", d.reason);
    check_socket_limit(false);

    auto socket = UdpSocket::open(io_, asio::ip::udp::endpoint(addr, req.port));
    auto udp = std::make_shared<UdpSocket>(*this, next_sock(), std::move(socket));
    add_channel(udp);
    reply(env, proto::SocketReply{udp->id(), to_wire(udp->local_endpoint()), std::nullopt});
    udp->start();
}

std::shared_ptr<TcpStream> Session::stream(uint32_t sock, const char* op) {
    auto it = channels_.find(sock);
    if (it == channels_.end()) throw ProtocolError("EBADF", std::string(op) + ": no socket " + std::to_string(sock));
    if (it->second->kind() != SocketKind::tcp_stream)
        throw ProtocolError("ENOTCONN", std::string(op) + ": socket " + std::to_string(sock) + " is " +
                                            proto::describe(it->second->kind()) + ", not a connected TCP stream");
    return std::static_pointer_cast<TcpStream>(it->second);
}

void Session::handle_shutdown(const proto::Envelope& env) {
    const auto req = proto::read_message<proto::SockRequest>(env);
    stream(req.sock, "shutdown")->shutdown_send();
    reply(env, json::object());
}

void Session::handle_close(const proto::Envelope& env) {
    const auto req = proto::read_message<proto::SockRequest>(env);
    auto channel = remove_channel(req.sock);
    if (!channel) throw ProtocolError("EBADF", "close: no socket " + std::to_string(req.sock));
    channel->close_gracefully();
    reply(env, json::object());
}

void Session::handle_resolve(const proto::Envelope& env) {
    const auto req = proto::read_message<proto::ResolveRequest>(env);
    check_destination_host(req.host, "resolve");
    check_lookup_limit(req.host, "resolve");
    const uint64_t key = next_pending_++;
    auto resolver = std::make_shared<HostResolver>(io_, policy_, lookup_);
    resolving_.emplace(key, resolver);
    const int64_t id = *env.id;
    std::weak_ptr<Session> weak = shared_from_this();
    const std::chrono::milliseconds timeout(options_.resolve_timeout_ms);
    resolver->start(req.host, timeout, lookup_slots_, [weak, key, id](AllowedAddresses result) {
        auto self = weak.lock();
        if (!self || self->terminated_) return;
        self->resolving_.erase(key);
        if (result.error) {
            if (result.error->code == "EACCES") ++self->metrics_.denied_by_policy;
            self->send_text(proto::make_error_reply(proto::op::resolve, id, *result.error));
            return;
        }
        proto::ResolveReply out;
        for (const auto& a : result.allowed) out.addrs.push_back(a.to_string());
        self->send_text(proto::make_reply(proto::op::resolve, id, out));
    });
}

void Session::on_binary(std::string&& payload) {
    if (terminated_) return;
    if (!hello_done_) {
        protocol_violation(close_code::policy_violation, {"EINVAL", "hello must come first, got a binary frame"});
        return;
    }
    const proto::DecodeResult r = proto::decode_frame(payload);
    std::optional<uint32_t> sock;
    if (r.has_sock) sock = r.frame.sock;
    if (!r) {
        ++metrics_.protocol_errors;
        send_error_event(frame_error_info(r.error), std::nullopt, sock);
        return;
    }
    auto it = channels_.find(r.frame.sock);
    if (it == channels_.end()) {
        ++metrics_.protocol_errors;
        send_error_event({"EBADF", "frame for unknown socket " + std::to_string(r.frame.sock)}, std::nullopt, sock);
        return;
    }
    Channel& channel = *it->second;
    if (channel.on_client_frame(r.frame, payload)) return;
    ++metrics_.protocol_errors;
    const char* frame_name = r.frame.kind == proto::FrameKind::data     ? "DATA"
                             : r.frame.kind == proto::FrameKind::window ? "WINDOW"
                                                                        : "DATAGRAM";
    const char* code = channel.kind() == SocketKind::tcp_listener ? "ENOTCONN" : "EPROTO";
    send_error_event({code, std::string(frame_name) + " frame for socket " + std::to_string(r.frame.sock) +
                                ", which is " + proto::describe(channel.kind())},
                     std::nullopt, sock);
}

// ---- socket table ----

void Session::add_channel(std::shared_ptr<Channel> channel) {
    switch (channel->kind()) {
        case SocketKind::tcp_stream:
            ++metrics_.tcp_streams;
            break;
        case SocketKind::tcp_listener:
            ++metrics_.tcp_listeners;
            ++listeners_;
            break;
        case SocketKind::udp:
            ++metrics_.udp_sockets;
            break;
    }
    channels_.emplace(channel->id(), std::move(channel));
}

std::shared_ptr<Channel> Session::remove_channel(uint32_t sock) {
    auto it = channels_.find(sock);
    if (it == channels_.end()) return nullptr;
    auto channel = std::move(it->second);
    channels_.erase(it);
    switch (channel->kind()) {
        case SocketKind::tcp_stream:
            --metrics_.tcp_streams;
            break;
        case SocketKind::tcp_listener:
            --metrics_.tcp_listeners;
            --listeners_;
            break;
        case SocketKind::udp:
            --metrics_.udp_sockets;
            break;
    }
    return channel;
}

void Session::channel_failed(uint32_t sock, const ErrorInfo& error) {
    if (!remove_channel(sock)) return;
    send_text(proto::make_event(proto::op::closed, proto::ClosedEvent{sock, error}));
}

void Session::channel_error(uint32_t sock, const ErrorInfo& error) { send_error_event(error, std::nullopt, sock); }

void Session::channel_accepted(uint32_t listener, asio::ip::tcp::socket socket) {
    ++metrics_.tcp_accepted;
    try {
        check_socket_limit(false);
    } catch (const ProtocolError& e) {
        ++metrics_.limit_errors;
        asio::error_code ec;
        const auto remote = socket.remote_endpoint(ec);
        socket.close(ec);
        send_error_event({e.code(), "connection from " + remote.address().to_string() + " port " +
                                        std::to_string(remote.port()) + " refused: " + e.what()},
                         std::nullopt, listener);
        return;
    }
    auto s = std::make_shared<TcpStream>(*this, next_sock(), std::move(socket));
    add_channel(s);
    send_text(proto::make_event(proto::op::accept, proto::AcceptEvent{listener, s->id(), to_wire(s->local_endpoint()),
                                                                      to_wire(s->remote_endpoint())}));
    s->start();
}

void Session::terminate() {
    if (terminated_) return;
    terminated_ = true;
    closed_at_end_ = channels_.size() + connecting_.size();
    hello_timer_.cancel();
    metrics_.tcp_connecting -= connecting_.size();
    for (auto& [key, c] : connecting_) c->cancel();
    connecting_.clear();
    for (auto& [key, r] : resolving_) r->cancel();
    resolving_.clear();
    while (!channels_.empty()) remove_channel(channels_.begin()->first)->abort();
}

}  // namespace sockgate::gateway
