#include "wasm/posix/session.hpp"

#include <emscripten.h>
#include <errno.h>

#include <cstdio>
#include <cstdlib>

#include "wasm/posix/sockaddr.hpp"
#include "wasm/posix/wait.hpp"

namespace sockgate::posix {
namespace {

// The open (or last) session. Sessions are never destroyed while the
// program runs: callbacks of the client core and of the WebSocket may still
// name them, and at exit the WebSocket outlives the C++ runtime.
Session* g_current = nullptr;

// Linux's default SO_RCVBUF; datagrams beyond it are dropped, as the kernel
// drops them when a UDP receive buffer is full.
constexpr int kDefaultUdpReceiveBuffer = 212992;

bool is_icmp_error(int err) { return err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH; }

// A datagram the gateway would not send: the policy denied its destination,
// or it was too big or of the wrong family. Natively sendto() itself fails;
// here the answer comes later, so the socket's next call reports it.
bool is_refused_datagram(int err) { return err == EACCES || err == EMSGSIZE || err == EAFNOSUPPORT; }

}  // namespace

int errno_of(const proto::ErrorInfo& error) {
    const int e = proto::errno_from_name(error.code);
    return e ? e : EIO;
}

// Received bytes count as consumed only when the program reads them
// (Session::consumed), so the gateway's credit follows the program's reads.
static client::ClientOptions credit_on_read() {
    client::ClientOptions options;
    options.manual_credit = true;
    return options;
}

Session::Session() : transport_(browser_, [] { wake(); }), client_(transport_, credit_on_read()) { wire_events(); }

Session* Session::acquire(int& err) {
    if (stop_requested()) {
        err = ENETDOWN;
        return nullptr;
    }
    if (g_current && g_current->alive()) return g_current;
    static bool exit_hook = false;
    if (!exit_hook) {
        exit_hook = true;
        std::atexit(&Session::at_exit);
    }
    g_current = new Session;
    g_current->open();
    return g_current;
}

void Session::open() {
    url_ = gateway_url();
    if (url_.empty()) {
        std::fprintf(stderr, "sockgate: no gateway URL; set Module.sockgateUrl\n");
        end(ENETDOWN);
        return;
    }
    browser_.open(url_);
}

void Session::wire_events() {
    client::ClientEvents& ev = client_.events();
    ev.on_open = [this] {
        client_.hello(gateway_token(), [this](client::Result<proto::HelloReply> r) { on_hello(r); });
    };
    ev.on_data = [this](uint32_t gw, std::string_view bytes) {
        auto s = find(gw);
        if (!s) return;
        if (s->shut_rd) {
            // shutdown(SHUT_RD): nobody will read this; keep the credit flowing.
            client_.consume(gw, bytes.size());
            return;
        }
        if (s->rx_off > 0 && s->rx_off >= s->rx.size() / 2) {
            s->rx.erase(0, s->rx_off);
            s->rx_off = 0;
        }
        s->rx.append(bytes);
    };
    ev.on_datagram = [this](uint32_t gw, const proto::Endpoint& from, std::string_view payload) {
        auto s = find(gw);
        if (!s) return;
        // A connected UDP socket only receives from its peer, as with the kernel.
        if (s->remote && (plain_address(s->remote->addr) != plain_address(from.addr) || s->remote->port != from.port))
            return;
        const int limit = s->int_option(SOL_SOCKET, SO_RCVBUF, kDefaultUdpReceiveBuffer);
        if (s->datagram_bytes + payload.size() > size_t(limit) && !s->datagrams.empty()) return;
        s->datagrams.push_back(Datagram{from, std::string(payload)});
        s->datagram_bytes += payload.size();
    };
    ev.on_accept = [this](const proto::AcceptEvent& e) {
        auto listener = find(e.listener);
        if (!listener || listener->released || listener->phase != Phase::listening) {
            client_.close(e.sock, nullptr);
            return;
        }
        auto c = std::make_shared<Socket>();
        c->family = listener->family;
        c->type = SOCK_STREAM;
        c->phase = Phase::connected;
        c->session = this;
        c->gw = e.sock;
        c->local = e.local;
        c->remote = e.remote;
        sockets_[e.sock] = c;
        listener->accept_queue.push_back(std::move(c));
    };
    ev.on_eof = [this](uint32_t gw) {
        if (auto s = find(gw)) s->eof = true;
    };
    ev.on_closed = [this](uint32_t gw, const std::optional<proto::ErrorInfo>& error) {
        auto s = find(gw);
        if (!s) return;
        s->phase = Phase::closed;
        s->close_error = error ? errno_of(*error) : 0;
        sockets_.erase(gw);
        close_when_drained_.erase(gw);
    };
    ev.on_error = [this](const proto::ErrorEvent& e) {
        // Errors that fail the socket's next call: ICMP errors on a connected
        // UDP socket (as on Linux), datagrams the gateway refused, and a
        // connection a listener had to drop at the socket limit (EMFILE, as
        // accept() reports it natively). Everything else the gateway reports
        // here concerns data that is already gone.
        if (!e.sock) return;
        auto s = find(*e.sock);
        if (!s) return;
        const int err = errno_of(e.error);
        if (s->type == SOCK_DGRAM && ((s->remote && is_icmp_error(err)) || is_refused_datagram(err)))
            s->pending_error = err;
        if (s->phase == Phase::listening && (err == EMFILE || err == ENFILE)) s->pending_error = err;
    };
    ev.on_drained = [this](uint32_t gw) {
        if (close_when_drained_.erase(gw)) client_.close(gw, nullptr);
    };
    ev.on_session_closed = [this](uint16_t code, std::string_view reason) {
        if (state_ == State::opening && !stop_requested()) {
            std::fprintf(stderr, "sockgate: cannot reach the gateway at %s (WebSocket closed, code %u%s%.*s)\n",
                         url_.c_str(), unsigned(code), reason.empty() ? "" : ": ", int(reason.size()), reason.data());
        }
        end(state_ == State::ready ? ECONNRESET : ENETDOWN);
    };
}

void Session::on_hello(const client::Result<proto::HelloReply>& reply) {
    if (!reply) {
        if (state_ != State::ended) {
            std::fprintf(stderr, "sockgate: the gateway refused the session: %s\n", reply.describe().c_str());
            const int err = errno_of(reply.error());
            client_.close_session(client::close_code::normal, "hello failed");
            end(err);
        }
        return;
    }
    if (state_ != State::opening) return;
    state_ = State::ready;
    auto waiters = std::move(ready_waiters_);
    ready_waiters_.clear();
    for (auto& fn : waiters) fn(0);
}

// Ends the session for the program: every socket it carried is closed with
// `err`, and everything waiting for it fails. Idempotent.
void Session::end(int err) {
    if (state_ == State::ended) return;
    state_ = State::ended;
    end_error_ = err;
    for (auto& [gw, s] : sockets_) {
        if (s->phase == Phase::closed) continue;
        s->phase = Phase::closed;
        s->close_error = err;
    }
    sockets_.clear();
    close_when_drained_.clear();
    // Requests in flight (connect, listen, bind) belong to sockets that have
    // no gateway socket yet; their callbacks may never run now.
    for (const auto& s : SocketTable::get().all()) {
        if (s->session != this || s->phase == Phase::closed) continue;
        if (s->phase == Phase::connecting) s->pending_error = err;
        if (s->phase != Phase::fresh) {
            s->phase = Phase::closed;
            s->close_error = err;
        }
    }
    auto waiters = std::move(ready_waiters_);
    ready_waiters_.clear();
    for (auto& fn : waiters) fn(err);
    wake();
}

void Session::when_ready(std::function<void(int)> fn) {
    if (state_ == State::ready) return fn(0);
    if (state_ == State::ended) return fn(end_error_);
    ready_waiters_.push_back(std::move(fn));
}

int Session::wait_ready() {
    const int r = wait_until([this] { return state_ != State::opening; }, false);
    if (r) return r;
    return state_ == State::ready ? 0 : end_error_;
}

void Session::adopt(const std::shared_ptr<Socket>& s) {
    s->session = this;
    sockets_[s->gw] = s;
}

void Session::release(Socket& s) {
    for (auto& pending : s.accept_queue) release(*pending);
    s.accept_queue.clear();
    if (s.session != this || !s.has_gateway_socket()) return;
    sockets_.erase(s.gw);
    if (state_ != State::ready) return;
    // Data still queued for credit would be discarded by close(); the kernel
    // would send it, so close once it has gone out.
    if (s.is_stream() && client_.queued(s.gw) > 0)
        close_when_drained_[s.gw] = true;
    else
        client_.close(s.gw, nullptr);
}

void Session::consumed(const Socket& s, size_t n) {
    if (n == 0 || s.session != this || !s.has_gateway_socket() || state_ != State::ready) return;
    client_.consume(s.gw, n);
}

std::shared_ptr<Socket> Session::find(uint32_t gw) const {
    auto it = sockets_.find(gw);
    return it == sockets_.end() ? nullptr : it->second;
}

void Session::stop() {
    set_stop_requested();
    if (g_current && g_current->alive()) {
        g_current->client_.close_session(client::close_code::normal, "stopped");
        g_current->end(ECONNRESET);
    }
    wake();
}

// The program is exiting: close its sockets gracefully (the gateway then
// flushes what it has queued for them), then end the session. Closing the
// WebSocket alone would abort the sockets without flushing.
void Session::at_exit() {
    Session* s = g_current;
    if (!s || !s->alive()) return;
    if (s->state_ == State::ready) {
        for (const auto& [gw, sock] : s->sockets_) s->client_.close(gw, nullptr);
        for (const auto& [gw, unused] : s->close_when_drained_) s->client_.close(gw, nullptr);
    }
    s->client_.close_session(client::close_code::normal, "program exited");
    s->sockets_.clear();
    s->close_when_drained_.clear();
    s->state_ = State::ended;
    s->end_error_ = ENETDOWN;
    // Events that still arrive must not reach a finished program.
    s->transport_.set_handler(nullptr);
}

}  // namespace sockgate::posix

// Called by Module.sockgateStop() (see wait.cpp).
extern "C" EMSCRIPTEN_KEEPALIVE void sockgate_posix_stop() { sockgate::posix::Session::stop(); }
