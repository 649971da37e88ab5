// POSIX sockets for C/C++ programs compiled to wasm, on sockgate's gateway.
//
// Design
// ------
// A program linked with sockgate_posix gets its own definitions of the
// socket calls (socket, bind, listen, accept, connect, send, recv, poll,
// getaddrinfo, ... and read/write/close/fcntl/ioctl on socket fds). They
// replace Emscripten's libc versions at link time, so ordinary socket code
// compiles unchanged and uses real TCP and UDP sockets on the gateway host.
//
// * One gateway session per program (session.cpp): a WebSocket opened on
//   the first socket() call, at Module.sockgateUrl or else ws(s)://<page
//   host>/ws, with the client core (wasm/core/client.hpp) on top. When it ends,
//   the gateway closes all the program's sockets and frees their ports.
//   If it ends on its own (gateway gone), the next call that needs the
//   gateway opens a new one.
// * Socket fds (socket.hpp) are descriptors reserved in Emscripten's file
//   system, so they never collide with files; each maps to a Socket holding
//   what the program has not read yet: stream bytes, datagrams, connections
//   waiting for accept(). The gateway's events fill these (session.cpp).
// * Blocking calls suspend the program with Asyncify (wait.hpp) and are
//   woken by each message from the gateway: the page keeps running, and a
//   blocked call returns as soon as its data arrives. O_NONBLOCK /
//   SOCK_NONBLOCK / MSG_DONTWAIT give EAGAIN and EINPROGRESS instead;
//   SO_RCVTIMEO / SO_SNDTIMEO bound blocking calls. sleep(), usleep() and
//   nanosleep() suspend the same way (sleep.cpp) instead of freezing the page.
// * Flow control reaches the program: received TCP bytes are returned to
//   the gateway as credit only when the program reads them (manual credit),
//   so a slow reader slows the remote sender; send() blocks (or EAGAIN)
//   once SO_SNDBUF bytes wait for the gateway's credit.
// * TCP: bind() takes the address with the gateway's `listen` op at once,
//   so an address in use or refused fails at bind(), as under POSIX;
//   listen() then only confirms it (connections arriving in between wait
//   for accept() as in a backlog). A bound socket that connects instead
//   gives its listener up and connects from an ephemeral port.
//   UDP: bind() is the gateway's `bind` op; sendto() or connect() on an
//   unbound socket binds it to an ephemeral port first, as the kernel does;
//   connect() sets the default destination and filters what is received.
// * Where the gateway's policy refuses the wildcard address (INADDR_ANY,
//   in6addr_any), the loopback address is used instead (operations.cpp).
// * Errors are the gateway's errno names mapped to this libc's values;
//   getaddrinfo resolves numeric addresses locally and names through the
//   gateway's `resolve` op, and reports EAI_* codes.
// * Module.sockgateStop() (the page's Stop) ends the program as Ctrl+C
//   would: the session closes, and the blocked call (or the next socket
//   call or sleep that fails) exits with status 130 without returning to
//   the program (wait.hpp, fail()).
//
// Not supported, because the gateway protocol has no counterpart: raw and
// Unix-domain sockets, socketpair, out-of-band data, multicast, a chosen
// local address for outgoing TCP connections, a TCP port bound but not
// listening (a bound port already accepts connections), IPv6 wildcard
// listeners that also accept IPv4 (dual stack). fdopen() and dup() of
// socket fds do not work: stdio and dup act on the reserved descriptor.
// Programs must run on the thread that owns the WebSocket (no pthreads).

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "wasm/posix/operations.hpp"
#include "wasm/posix/session.hpp"
#include "wasm/posix/sockaddr.hpp"
#include "wasm/posix/wait.hpp"

using namespace sockgate::posix;
namespace proto = sockgate::proto;

namespace {

std::shared_ptr<Socket> socket_or_fail(int fd) {
    int err = 0;
    auto s = lookup(fd, err);
    if (!s) fail(err);
    return s;
}

// Gathers a msghdr's buffers for sendmsg.
std::string gather(const msghdr* msg) {
    std::string bytes;
    for (size_t i = 0; i < size_t(msg->msg_iovlen); ++i)
        bytes.append(static_cast<const char*>(msg->msg_iov[i].iov_base), msg->msg_iov[i].iov_len);
    return bytes;
}

}  // namespace

extern "C" {

int socket(int domain, int type, int protocol) {
    const int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (domain != AF_INET && domain != AF_INET6) return fail(EAFNOSUPPORT);
    if (kind != SOCK_STREAM && kind != SOCK_DGRAM) return fail(ESOCKTNOSUPPORT);
    const int natural = kind == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
    if (protocol != 0 && protocol != natural) return fail(EPROTONOSUPPORT);

    auto s = std::make_shared<Socket>();
    s->family = domain;
    s->type = kind;
    s->protocol = natural;
    s->nonblocking = type & SOCK_NONBLOCK;
    // Open the session now, so the WebSocket handshake overlaps with what
    // the program does before its first network call.
    int err = 0;
    if (!Session::acquire(err)) return fail(err);
    const int fd = SocketTable::get().add(std::move(s));
    return fd >= 0 ? fd : fail(errno);
}

int bind(int fd, const sockaddr* addr, socklen_t len) {
    auto s = socket_or_fail(fd);
    if (!s) return -1;
    proto::Endpoint ep;
    if (const int e = read_sockaddr(addr, len, s->family, ep)) return fail(e);
    if (s->bound || s->phase != Phase::fresh) return fail(EINVAL);
    if (s->is_stream()) {
        s->bound = ep;
        if (const int e = listen_tcp(s, 0)) {
            s->bound.reset();
            return fail(e);
        }
        return 0;
    }
    if (const int e = bind_udp(s, &ep)) return fail(e);
    return 0;
}

int listen(int fd, int backlog) {
    auto s = socket_or_fail(fd);
    if (!s) return -1;
    if (!s->is_stream()) return fail(EOPNOTSUPP);
    if (s->phase == Phase::listening) {  // bound: bind() took the port
        s->backlog = backlog;
        s->listen_called = true;
        return 0;
    }
    if (s->phase != Phase::fresh) return fail(EINVAL);
    if (const int e = listen_tcp(s, backlog)) return fail(e);
    s->listen_called = true;
    return 0;
}

int accept4(int fd, sockaddr* addr, socklen_t* len, int flags) {
    auto s = socket_or_fail(fd);
    if (!s) return -1;
    if (!s->is_stream()) return fail(EOPNOTSUPP);
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) return fail(EINVAL);
    if (s->phase != Phase::listening && s->phase != Phase::closed) return fail(EINVAL);
    if (s->phase == Phase::listening && !s->listen_called) return fail(EINVAL);

    const int r =
        wait_until([&] { return !s->accept_queue.empty() || s->pending_error || s->phase != Phase::listening; },
                   s->nonblocking, s->timeout_ms(SO_RCVTIMEO));
    if (s->accept_queue.empty()) {
        if (s->pending_error) return fail(std::exchange(s->pending_error, 0));
        if (s->phase != Phase::listening) return fail(s->close_error ? s->close_error : EINVAL);
        return fail(r ? r : EAGAIN);
    }
    auto c = s->accept_queue.front();
    s->accept_queue.pop_front();
    c->nonblocking = flags & SOCK_NONBLOCK;
    const int cfd = SocketTable::get().add(c);
    if (cfd < 0) {
        const int e = errno;
        c->released = true;
        if (c->session) c->session->release(*c);
        return fail(e);
    }
    if (c->remote) write_sockaddr(*c->remote, c->family, addr, len);
    return cfd;
}

int accept(int fd, sockaddr* addr, socklen_t* len) { return accept4(fd, addr, len, 0); }

int connect(int fd, const sockaddr* addr, socklen_t len) {
    auto s = socket_or_fail(fd);
    if (!s) return -1;

    if (!s->is_stream()) {
        // UDP: set (or with AF_UNSPEC clear) the default destination.
        if (addr && len >= socklen_t(sizeof(sa_family_t)) && addr->sa_family == AF_UNSPEC) {
            s->remote.reset();
            return 0;
        }
        proto::Endpoint ep;
        if (const int e = read_sockaddr(addr, len, s->family, ep, true)) return fail(e);
        if (const int e = bind_udp(s, nullptr)) return fail(e);
        s->remote = ep;
        s->pending_error = 0;
        return 0;
    }

    switch (s->phase) {
        case Phase::connecting:
            return fail(EALREADY);
        case Phase::connected:
            if (std::exchange(s->connect_unreported, false)) return 0;
            return fail(EISCONN);
        case Phase::listening:
            if (s->listen_called) return fail(EISCONN);
            give_up_listener(s);  // bound, then connecting after all
            break;
        case Phase::closed:
            return fail(s->close_error ? s->close_error : EISCONN);
        case Phase::bound:
        case Phase::fresh:
            break;
    }
    // A failed non-blocking connect reports its error once, then the socket
    // may connect again.
    if (s->pending_error) return fail(std::exchange(s->pending_error, 0));

    proto::Endpoint ep;
    if (const int e = read_sockaddr(addr, len, s->family, ep)) return fail(e);
    if (ep.port == 0) return fail(ECONNREFUSED);  // as the kernel answers port 0
    if (const int e = start_connect(s, ep)) return fail(e);
    if (s->nonblocking) {
        s->connect_unreported = true;
        return fail(EINPROGRESS);
    }

    // SO_SNDTIMEO bounds a blocking connect; on timeout Linux says
    // EINPROGRESS and lets the attempt go on.
    wait_until([&] { return s->phase != Phase::connecting; }, false, s->timeout_ms(SO_SNDTIMEO));
    if (s->phase == Phase::connected) return 0;
    if (s->phase == Phase::connecting) {
        s->connect_unreported = true;
        return fail(EINPROGRESS);
    }
    const int e = std::exchange(s->pending_error, 0);
    return fail(e ? e : (s->close_error ? s->close_error : ECONNREFUSED));
}

int shutdown(int fd, int how) {
    auto s = socket_or_fail(fd);
    if (!s) return -1;
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) return fail(EINVAL);
    const bool rd = how != SHUT_WR;
    const bool wr = how != SHUT_RD;
    if (!s->is_stream()) {
        if (!s->remote) return fail(ENOTCONN);
        s->shut_rd |= rd;
        s->shut_wr |= wr;
        return 0;
    }
    if (s->phase != Phase::connected) return fail(ENOTCONN);
    if (rd && !s->shut_rd) {
        s->shut_rd = true;
        // Unread data will never be read: give its credit back now.
        const size_t unread = s->rx_available();
        s->rx.clear();
        s->rx_off = 0;
        s->session->consumed(*s, unread);
    }
    if (wr && !s->shut_wr) {
        s->shut_wr = true;
        s->session->client().shutdown(s->gw, nullptr);  // FIN after queued data
    }
    return 0;
}

int getsockname(int fd, sockaddr* addr, socklen_t* len) {
    auto s = socket_or_fail(fd);
    if (!s) return -1;
    if (!addr || !len) return fail(EFAULT);
    proto::Endpoint ep{any_address(s->family), 0};
    if (s->local) {
        ep = *s->local;
        // The program bound the wildcard; report it, as the kernel would,
        // even if the gateway fell back to loopback.
        if (s->bound && is_wildcard(s->bound->addr)) ep.addr = s->bound->addr;
    } else if (s->bound) {
        ep = *s->bound;
    }
    write_sockaddr(ep, s->family, addr, len);
    return 0;
}

int getpeername(int fd, sockaddr* addr, socklen_t* len) {
    auto s = socket_or_fail(fd);
    if (!s) return -1;
    if (!addr || !len) return fail(EFAULT);
    const bool connected = s->is_stream() ? s->phase == Phase::connected : s->remote.has_value();
    if (!connected || !s->remote) return fail(ENOTCONN);
    write_sockaddr(*s->remote, s->family, addr, len);
    return 0;
}

ssize_t sendto(int fd, const void* buf, size_t len, int flags, const sockaddr* to, socklen_t tolen) {
    auto s = socket_or_fail(fd);
    if (!s) return -1;
    if (len > 0 && !buf) return fail(EFAULT);
    proto::Endpoint dest;
    const proto::Endpoint* where = nullptr;
    if (to && !s->is_stream()) {  // TCP ignores the address, as Linux does
        if (const int e = read_sockaddr(to, tolen, s->family, dest, true)) return fail(e);
        where = &dest;
    }
    return send_bytes(s, static_cast<const char*>(buf), len, flags, where);
}

ssize_t send(int fd, const void* buf, size_t len, int flags) { return sendto(fd, buf, len, flags, nullptr, 0); }

ssize_t sendmsg(int fd, const msghdr* msg, int flags) {
    if (!msg) return fail(EFAULT);
    const std::string bytes = gather(msg);
    return sendto(fd, bytes.data(), bytes.size(), flags, static_cast<const sockaddr*>(msg->msg_name), msg->msg_namelen);
}

ssize_t recvfrom(int fd, void* buf, size_t len, int flags, sockaddr* from, socklen_t* fromlen) {
    auto s = socket_or_fail(fd);
    if (!s) return -1;
    if (len > 0 && !buf) return fail(EFAULT);
    proto::Endpoint source;
    const ssize_t n = receive_bytes(*s, static_cast<char*>(buf), len, flags, &source, nullptr);
    if (n >= 0 && from && fromlen) {
        if (!s->is_stream())
            write_sockaddr(source, s->family, from, fromlen);
        else
            *fromlen = 0;  // a stream has no per-message source
    }
    return n;
}

ssize_t recv(int fd, void* buf, size_t len, int flags) { return recvfrom(fd, buf, len, flags, nullptr, nullptr); }

ssize_t recvmsg(int fd, msghdr* msg, int flags) {
    if (!msg) return fail(EFAULT);
    auto s = socket_or_fail(fd);
    if (!s) return -1;
    size_t total = 0;
    for (size_t i = 0; i < size_t(msg->msg_iovlen); ++i) total += msg->msg_iov[i].iov_len;
    std::vector<char> bytes(total);
    proto::Endpoint source;
    bool truncated = false;
    const ssize_t n = receive_bytes(*s, bytes.data(), total, flags, &source, &truncated);
    if (n < 0) return n;
    size_t copied = 0;
    const size_t filled = std::min(size_t(n), total);
    for (size_t i = 0; i < size_t(msg->msg_iovlen) && copied < filled; ++i) {
        const size_t k = std::min(msg->msg_iov[i].iov_len, filled - copied);
        std::memcpy(msg->msg_iov[i].iov_base, bytes.data() + copied, k);
        copied += k;
    }
    msg->msg_flags = truncated ? MSG_TRUNC : 0;
    msg->msg_controllen = 0;
    if (msg->msg_name) {
        if (!s->is_stream())
            write_sockaddr(source, s->family, static_cast<sockaddr*>(msg->msg_name), &msg->msg_namelen);
        else
            msg->msg_namelen = 0;
    }
    return n;
}

}  // extern "C"
