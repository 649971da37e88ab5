// setsockopt and getsockopt. The gateway offers no per-socket options, so
// options are remembered as set and read back; the few that change this
// layer's behaviour (SO_RCVTIMEO, SO_SNDTIMEO, SO_SNDBUF, SO_RCVBUF for UDP,
// SO_LINGER) are read where they apply. SO_ERROR, SO_TYPE and their kind
// are answered from the socket's state.

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "wasm/posix/operations.hpp"
#include "wasm/posix/wait.hpp"

using namespace sockgate::posix;

namespace {

enum class Shape { integer, timeval_, linger_ };

struct KnownOption {
    int level;
    int name;
    Shape shape;
    int fallback;  // integers: the value before any setsockopt (Linux's defaults)
};

constexpr KnownOption kOptions[] = {
    {SOL_SOCKET, SO_REUSEADDR, Shape::integer, 0},
    {SOL_SOCKET, SO_REUSEPORT, Shape::integer, 0},
    {SOL_SOCKET, SO_KEEPALIVE, Shape::integer, 0},
    {SOL_SOCKET, SO_BROADCAST, Shape::integer, 0},
    {SOL_SOCKET, SO_OOBINLINE, Shape::integer, 0},
    {SOL_SOCKET, SO_DONTROUTE, Shape::integer, 0},
    {SOL_SOCKET, SO_RCVBUF, Shape::integer, 131072},
    {SOL_SOCKET, SO_SNDBUF, Shape::integer, 16384},
    {SOL_SOCKET, SO_RCVLOWAT, Shape::integer, 1},
    {SOL_SOCKET, SO_SNDLOWAT, Shape::integer, 1},
    {SOL_SOCKET, SO_PRIORITY, Shape::integer, 0},
    {SOL_SOCKET, SO_RCVTIMEO, Shape::timeval_, 0},
    {SOL_SOCKET, SO_SNDTIMEO, Shape::timeval_, 0},
    {SOL_SOCKET, SO_LINGER, Shape::linger_, 0},
    {IPPROTO_TCP, TCP_NODELAY, Shape::integer, 0},
    {IPPROTO_TCP, TCP_KEEPIDLE, Shape::integer, 7200},
    {IPPROTO_TCP, TCP_KEEPINTVL, Shape::integer, 75},
    {IPPROTO_TCP, TCP_KEEPCNT, Shape::integer, 9},
    {IPPROTO_TCP, TCP_QUICKACK, Shape::integer, 1},
    {IPPROTO_TCP, TCP_USER_TIMEOUT, Shape::integer, 0},
    {IPPROTO_TCP, TCP_MAXSEG, Shape::integer, 536},
    {IPPROTO_IP, IP_TTL, Shape::integer, 64},
    {IPPROTO_IP, IP_TOS, Shape::integer, 0},
    {IPPROTO_IPV6, IPV6_V6ONLY, Shape::integer, 0},
    {IPPROTO_IPV6, IPV6_UNICAST_HOPS, Shape::integer, 64},
};

const KnownOption* find_option(int level, int name) {
    for (const auto& o : kOptions)
        if (o.level == level && o.name == name) return &o;
    return nullptr;
}

size_t size_of(Shape shape) {
    switch (shape) {
        case Shape::integer:
            return sizeof(int);
        case Shape::timeval_:
            return sizeof(timeval);
        case Shape::linger_:
            return sizeof(linger);
    }
    return sizeof(int);
}

int copy_out(const void* value, size_t size, void* optval, socklen_t* optlen) {
    if (!optval || !optlen) return fail(EFAULT);
    const size_t n = std::min(size_t(*optlen), size);
    std::memcpy(optval, value, n);
    *optlen = socklen_t(size);
    return 0;
}

int int_out(int value, void* optval, socklen_t* optlen) { return copy_out(&value, sizeof value, optval, optlen); }

}  // namespace

extern "C" {

int setsockopt(int fd, int level, int name, const void* optval, socklen_t optlen) {
    int err = 0;
    auto s = lookup(fd, err);
    if (!s) return fail(err);
    const KnownOption* o = find_option(level, name);
    if (!o) return fail(ENOPROTOOPT);
    const size_t size = size_of(o->shape);
    if (!optval) return fail(EFAULT);
    if (optlen < size) return fail(EINVAL);
    std::vector<char> bytes(static_cast<const char*>(optval), static_cast<const char*>(optval) + size);
    if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF)) {
        // Linux doubles the value for its bookkeeping and reports the double.
        int v = 0;
        std::memcpy(&v, bytes.data(), sizeof v);
        v = std::max(v, 1024) * 2;
        std::memcpy(bytes.data(), &v, sizeof v);
    }
    s->options[{level, name}] = std::move(bytes);
    return 0;
}

int getsockopt(int fd, int level, int name, void* optval, socklen_t* optlen) {
    int err = 0;
    auto s = lookup(fd, err);
    if (!s) return fail(err);
    if (level == SOL_SOCKET) {
        switch (name) {
            case SO_ERROR: {
                int e = std::exchange(s->pending_error, 0);
                if (!e && s->phase == Phase::closed) e = s->close_error;
                return int_out(e, optval, optlen);
            }
            case SO_TYPE:
                return int_out(s->type, optval, optlen);
            case SO_DOMAIN:
                return int_out(s->family, optval, optlen);
            case SO_PROTOCOL:
                return int_out(s->protocol, optval, optlen);
            case SO_ACCEPTCONN:
                return int_out(s->phase == Phase::listening, optval, optlen);
        }
    }
    const KnownOption* o = find_option(level, name);
    if (!o) return fail(ENOPROTOOPT);
    auto it = s->options.find({level, name});
    if (it != s->options.end()) return copy_out(it->second.data(), it->second.size(), optval, optlen);
    std::vector<char> zero(size_of(o->shape), 0);
    if (o->shape == Shape::integer) std::memcpy(zero.data(), &o->fallback, sizeof(int));
    return copy_out(zero.data(), zero.size(), optval, optlen);
}

}  // extern "C"
