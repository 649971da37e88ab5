#include "wasm/posix/operations.hpp"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "protocol/frame.hpp"
#include "wasm/posix/session.hpp"
#include "wasm/posix/sockaddr.hpp"
#include "wasm/posix/wait.hpp"

extern "C" long __syscall_fcntl64(long fd, long cmd, ...);

namespace sockgate::posix {
namespace {

using SocketResult = client::Result<proto::SocketReply>;
using SocketCallback = client::Client::Callback<proto::SocketReply>;

// Data that may wait for credit before send() blocks, unless SO_SNDBUF says
// otherwise. On top of it the gateway's window (256 KiB by default) is in
// flight, so a program can get well ahead of a slow peer, but not unboundedly.
constexpr int kDefaultSendBuffer = 65536;
constexpr int kMinSendBuffer = 4096;
// How long close() on a blocking socket waits for queued data to go out.
constexpr double kCloseLingerMs = 10000;
// UDP has no credit: a program sending datagrams in a loop could fill the
// WebSocket's buffer without limit. Past this many unsent bytes sendto()
// waits (or says EAGAIN), as it would for a full socket buffer natively.
constexpr size_t kMaxUnsentBytes = 1 << 20;
// The WebSocket drains without telling anyone; check this often meanwhile.
constexpr double kUnsentPollMs = 5;

// Sends a request that creates a gateway socket and waits for its reply.
SocketResult request_socket(const std::function<void(SocketCallback)>& send) {
    auto reply = std::make_shared<std::optional<SocketResult>>();
    send([reply](SocketResult r) { reply->emplace(std::move(r)); });
    wait_until([&] { return reply->has_value(); }, false);
    if (!reply->has_value()) return SocketResult::failure("ECONNRESET", "the program is being stopped");
    return std::move(**reply);
}

std::string loopback_for(const std::string& wildcard) {
    if (wildcard == "::ffff:0.0.0.0") return "::ffff:127.0.0.1";
    return wildcard.find(':') != std::string::npos ? "::1" : "127.0.0.1";
}

// The gateway's default policy lets sessions listen and bind on loopback
// addresses only, while programs habitually bind the wildcard address
// (INADDR_ANY, AI_PASSIVE). When the gateway refuses the wildcard, take the
// loopback address instead: the program gets its port, reachable from the
// gateway host, which is all the policy allows anyway.
SocketResult open_local(const proto::Endpoint& where,
                        const std::function<void(const std::string& host, SocketCallback)>& send) {
    SocketResult r = request_socket([&](SocketCallback cb) { send(where.addr, std::move(cb)); });
    if (!r && r.error().code == "EACCES" && is_wildcard(where.addr)) {
        const std::string loopback = loopback_for(where.addr);
        r = request_socket([&](SocketCallback cb) { send(loopback, std::move(cb)); });
    }
    return r;
}

// Hands `n` received bytes to the program: drops them from the buffer and
// returns them to the gateway as credit.
void take(Socket& s, size_t n) {
    s.rx_off += n;
    if (s.rx_off == s.rx.size()) {
        s.rx.clear();
        s.rx_off = 0;
    }
    if (s.session) s.session->consumed(s, n);
}

int take_pending_error(Socket& s) { return std::exchange(s.pending_error, 0); }

ssize_t send_stream(Socket& s, const char* data, size_t len, int flags) {
    const bool nonblocking = s.nonblocking || (flags & MSG_DONTWAIT);
    const double timeout = s.timeout_ms(SO_SNDTIMEO);
    size_t sent = 0;
    auto result = [&](int err) -> ssize_t { return sent > 0 ? ssize_t(sent) : fail(err); };
    for (;;) {
        if (s.shut_wr) return result(EPIPE);
        if (s.pending_error) return sent > 0 ? ssize_t(sent) : fail(take_pending_error(s));
        if (s.phase == Phase::closed) return result(s.close_error ? s.close_error : EPIPE);
        if (s.phase != Phase::connected && s.phase != Phase::connecting) return fail(ENOTCONN);
        if (sent == len && s.phase == Phase::connected) return ssize_t(sent);

        // Wait for the connection (a send right after a non-blocking
        // connect) and then for room in the send buffer.
        const int r = wait_until(
            [&] {
                if (s.phase == Phase::connecting) return false;
                return s.phase != Phase::connected || s.shut_wr || s.pending_error || send_room(s) > 0;
            },
            nonblocking, timeout);
        if (s.phase != Phase::connected || s.shut_wr || s.pending_error) {
            if (r && s.phase == Phase::connecting) return result(r);
            continue;  // the checks above say why
        }
        if (r) return result(r);

        const size_t n = std::min(send_room(s), len - sent);
        const client::Status st = s.session->client().send(s.gw, std::string_view(data + sent, n));
        if (!st) return result(errno_of(st.error()));
        sent += n;
        if (sent == len || nonblocking) return ssize_t(sent);
    }
}

// Waits until the WebSocket has room for more datagrams. Returns 0 or an errno.
int wait_for_websocket_room(const Socket& s, int flags) {
    Session* session = s.session;
    const bool nonblocking = s.nonblocking || (flags & MSG_DONTWAIT);
    if (!session || session->unsent() < kMaxUnsentBytes) return 0;
    if (nonblocking) {
        yield_to_event_loop();
        return session->unsent() < kMaxUnsentBytes ? 0 : EAGAIN;
    }
    const double timeout = s.timeout_ms(SO_SNDTIMEO);
    const double deadline = timeout >= 0 ? now_ms() + timeout : -1;
    while (session->alive() && session->unsent() >= kMaxUnsentBytes) {
        if (stop_requested()) return ECONNRESET;
        if (deadline >= 0 && now_ms() >= deadline) return EAGAIN;
        sleep_until_woken(kUnsentPollMs);
    }
    return 0;
}

ssize_t send_datagram(const std::shared_ptr<Socket>& s, const char* data, size_t len, int flags,
                      const proto::Endpoint* to) {
    proto::Endpoint dest;
    if (to)
        dest = *to;
    else if (s->remote)
        dest = *s->remote;
    else
        return fail(EDESTADDRREQ);
    if (s->shut_wr) return fail(EPIPE);
    if (s->pending_error) return fail(take_pending_error(*s));
    if (dest.port == 0) return fail(EINVAL);
    if (len > proto::kMaxDatagramPayload) return fail(EMSGSIZE);
    if (const int e = bind_udp(s, nullptr)) return fail(e);
    if (const int e = wait_for_websocket_room(*s, flags)) return fail(e);
    const client::Status st = s->session->client().send_to(s->gw, dest.addr, dest.port, std::string_view(data, len));
    if (!st) return fail(errno_of(st.error()));
    return ssize_t(len);
}

ssize_t receive_stream(Socket& s, char* buf, size_t len, int flags) {
    const bool nonblocking = s.nonblocking || (flags & MSG_DONTWAIT);
    const bool peek = flags & MSG_PEEK;
    const bool wait_all = (flags & MSG_WAITALL) && !peek && !nonblocking;
    if (s.phase == Phase::listening) return fail(ENOTCONN);
    if (s.phase == Phase::fresh && !s.pending_error) return fail(ENOTCONN);
    if (len == 0) return 0;

    size_t got = 0;
    for (;;) {
        const int r = wait_until(
            [&] {
                return s.rx_available() > 0 || s.eof || s.shut_rd || s.pending_error || s.phase == Phase::closed ||
                       s.phase == Phase::fresh;
            },
            nonblocking, s.timeout_ms(SO_RCVTIMEO));
        if (const size_t available = s.rx_available(); available > 0) {
            const size_t n = std::min(len - got, available);
            std::memcpy(buf + got, s.rx.data() + s.rx_off, n);
            if (!peek) take(s, n);
            got += n;
            if (!wait_all || got == len) return ssize_t(got);
            continue;
        }
        if (got > 0) return ssize_t(got);
        if (s.pending_error) return fail(take_pending_error(s));
        if (s.eof || s.shut_rd) return 0;
        if (s.phase == Phase::closed) return s.close_error ? fail(s.close_error) : 0;
        if (s.phase == Phase::fresh) return fail(ENOTCONN);
        return fail(r ? r : EAGAIN);
    }
}

ssize_t receive_datagram(Socket& s, char* buf, size_t len, int flags, proto::Endpoint* from, bool* truncated) {
    const bool nonblocking = s.nonblocking || (flags & MSG_DONTWAIT);
    const int r =
        wait_until([&] { return !s.datagrams.empty() || s.pending_error || s.shut_rd || s.phase == Phase::closed; },
                   nonblocking, s.timeout_ms(SO_RCVTIMEO));
    if (!s.datagrams.empty()) {
        const Datagram& d = s.datagrams.front();
        const size_t full = d.payload.size();
        const size_t n = std::min(len, full);
        if (n > 0) std::memcpy(buf, d.payload.data(), n);
        if (from) *from = d.from;
        if (truncated) *truncated = n < full;
        if (!(flags & MSG_PEEK)) {
            s.datagram_bytes -= full;
            s.datagrams.pop_front();
        }
        return ssize_t((flags & MSG_TRUNC) ? full : n);
    }
    if (s.pending_error) return fail(take_pending_error(s));
    if (s.phase == Phase::closed) return fail(s.close_error ? s.close_error : EBADF);
    if (s.shut_rd) return 0;
    return fail(r ? r : EAGAIN);
}

}  // namespace

std::shared_ptr<Socket> lookup(int fd, int& err) {
    if (auto s = SocketTable::get().find(fd)) return s;
    err = (fd >= 0 && __syscall_fcntl64(fd, F_GETFD, 0) >= 0) ? ENOTSOCK : EBADF;
    return nullptr;
}

int bind_udp(const std::shared_ptr<Socket>& s, const proto::Endpoint* where) {
    if (s->phase == Phase::bound) return where ? EINVAL : 0;
    if (s->phase == Phase::closed) return s->close_error ? s->close_error : EBADF;
    int err = 0;
    Session* session = Session::acquire(err);
    if (!session) return err;
    if ((err = session->wait_ready())) return err;

    const proto::Endpoint ep = where ? *where : proto::Endpoint{any_address(s->family), 0};
    SocketResult r = open_local(ep, [&](const std::string& host, SocketCallback cb) {
        proto::BindRequest req;
        req.host = host;
        req.port = ep.port;
        session->client().bind(req, std::move(cb));
    });
    if (!r) return errno_of(r.error());
    if (!session->alive()) return session->end_error();
    s->gw = r->sock;
    s->local = r->local;
    s->bound = ep;
    s->phase = Phase::bound;
    session->adopt(s);
    return 0;
}

int listen_tcp(const std::shared_ptr<Socket>& s, int backlog) {
    int err = 0;
    Session* session = Session::acquire(err);
    if (!session) return err;
    if ((err = session->wait_ready())) return err;

    // listen() without bind() listens on an ephemeral port of the wildcard
    // address, as the kernel's automatic bind does.
    const proto::Endpoint ep = s->bound.value_or(proto::Endpoint{any_address(s->family), 0});
    SocketResult r = open_local(ep, [&](const std::string& host, SocketCallback cb) {
        proto::ListenRequest req;
        req.host = host;
        req.port = ep.port;
        if (backlog > 0) req.backlog = uint32_t(backlog);
        session->client().listen(req, std::move(cb));
    });
    if (!r) return errno_of(r.error());
    if (!session->alive()) return session->end_error();
    s->gw = r->sock;
    s->local = r->local;
    s->bound = ep;
    s->backlog = backlog;
    s->phase = Phase::listening;
    session->adopt(s);
    return 0;
}

void give_up_listener(const std::shared_ptr<Socket>& s) {
    if (s->session) s->session->release(*s);
    s->session = nullptr;
    s->gw = 0;
    s->local.reset();
    s->bound.reset();
    s->phase = Phase::fresh;
}

int start_connect(const std::shared_ptr<Socket>& s, const proto::Endpoint& to) {
    int err = 0;
    Session* session = Session::acquire(err);
    if (!session) return err;
    s->phase = Phase::connecting;
    s->session = session;
    s->pending_error = 0;
    s->remote = to;
    session->when_ready([session, s, to](int ready_error) {
        if (s->phase != Phase::connecting || s->session != session) return;
        if (ready_error) {
            s->phase = Phase::fresh;
            s->pending_error = ready_error;
            return;
        }
        if (s->released) {
            s->phase = Phase::closed;
            return;
        }
        proto::ConnectRequest req;
        req.host = to.addr;
        req.port = to.port;
        session->client().connect(req, [session, s](SocketResult r) {
            if (s->phase != Phase::connecting || s->session != session || s->released) {
                // Closed by the program, or overtaken by the session's end.
                if (r && session->alive()) session->client().close(r->sock, nullptr);
                if (s->phase == Phase::connecting) s->phase = Phase::closed;
                return;
            }
            if (!r) {
                s->phase = Phase::fresh;  // like the kernel: connect may be tried again
                s->pending_error = errno_of(r.error());
                return;
            }
            s->gw = r->sock;
            s->local = r->local;
            if (r->remote) s->remote = *r->remote;
            s->phase = Phase::connected;
            session->adopt(s);
        });
    });
    return 0;
}

ssize_t send_bytes(const std::shared_ptr<Socket>& s, const char* data, size_t len, int flags,
                   const proto::Endpoint* to) {
    if (s->is_stream()) return send_stream(*s, data, len, flags);
    return send_datagram(s, data, len, flags, to);
}

ssize_t receive_bytes(Socket& s, char* buf, size_t len, int flags, proto::Endpoint* from, bool* truncated) {
    if (truncated) *truncated = false;
    if (s.is_stream()) return receive_stream(s, buf, len, flags);
    return receive_datagram(s, buf, len, flags, from, truncated);
}

size_t send_room(const Socket& s) {
    if (s.phase != Phase::connected || !s.session || !s.session->alive()) return 0;
    const size_t limit = size_t(std::max(s.int_option(SOL_SOCKET, SO_SNDBUF, kDefaultSendBuffer), kMinSendBuffer));
    const uint64_t queued = s.session->client().queued(s.gw);
    return queued >= limit ? 0 : size_t(limit - queued);
}

short ready_events(const Socket& s) {
    constexpr short in = POLLIN | POLLRDNORM;
    constexpr short out = POLLOUT | POLLWRNORM;
    short ev = 0;
    switch (s.phase) {
        case Phase::fresh:
            if (!s.is_stream()) return out;
            // An unconnected stream, as Linux reports it; after a failed
            // non-blocking connect, with the error.
            if (s.pending_error) return in | out | POLLERR | POLLHUP;
            return out | POLLHUP;
        case Phase::connecting:
            return 0;
        case Phase::connected:
            if (s.rx_available() > 0 || s.eof || s.shut_rd) ev |= in;
            if (s.eof) ev |= POLLRDHUP;
            if (!s.shut_wr && send_room(s) > 0) ev |= out;
            if (s.eof && s.shut_wr) ev |= POLLHUP;
            if (s.pending_error) ev |= POLLERR;
            return ev;
        case Phase::listening:
            if (s.pending_error) ev |= POLLERR;
            if (!s.accept_queue.empty() || s.pending_error) ev |= in;
            return ev;
        case Phase::bound:
            ev = out;
            if (!s.datagrams.empty() || s.shut_rd) ev |= in;
            if (s.pending_error) ev |= POLLERR;
            return ev;
        case Phase::closed:
            // Every call returns at once now: data left over, 0 or an error.
            ev = in | out | POLLHUP;
            if (s.is_stream()) ev |= POLLRDHUP;
            if (s.close_error || s.pending_error) ev |= POLLERR;
            return ev;
    }
    return 0;
}

void close_socket(const std::shared_ptr<Socket>& s) {
    // The kernel delivers data still queued when a socket is closed; here it
    // waits for credit in this program, which ends with it. So a blocking
    // socket lingers until its queue has gone to the gateway.
    linger l{};
    auto it = s->options.find({SOL_SOCKET, SO_LINGER});
    if (it != s->options.end() && it->second.size() >= sizeof l) std::memcpy(&l, it->second.data(), sizeof l);
    const bool abortive = l.l_onoff && l.l_linger == 0;
    if (s->is_stream() && s->phase == Phase::connected && !s->nonblocking && !abortive && s->session &&
        s->session->alive()) {
        Session* session = s->session;
        wait_until(
            [&] { return s->phase != Phase::connected || !session->alive() || session->client().queued(s->gw) == 0; },
            false, kCloseLingerMs);
    }
    s->released = true;
    if (s->fd >= 0) SocketTable::get().remove(s->fd);
    if (s->session) s->session->release(*s);
}

}  // namespace sockgate::posix
