#include "wasm/posix/sockaddr.hpp"

#include <arpa/inet.h>
#include <errno.h>

#include <algorithm>
#include <cstring>

namespace sockgate::posix {
namespace {

bool is_v4_mapped(const in6_addr& a) {
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(a.s6_addr, prefix, sizeof prefix) == 0;
}

std::string text_of(int af, const void* addr) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (!inet_ntop(af, addr, buf, sizeof buf)) return {};
    return buf;
}

}  // namespace

int read_sockaddr(const sockaddr* sa, socklen_t len, int family, proto::Endpoint& out, bool ipv4_on_ipv6) {
    if (!sa) return EFAULT;
    if (len < socklen_t(sizeof(sa_family_t))) return EINVAL;
    if (sa->sa_family == AF_INET) {
        if (len < socklen_t(sizeof(sockaddr_in))) return EINVAL;
        if (family == AF_INET6 && !ipv4_on_ipv6) return EINVAL;
        sockaddr_in in;
        std::memcpy(&in, sa, sizeof in);
        out.port = ntohs(in.sin_port);
        if (family == AF_INET) {
            out.addr = text_of(AF_INET, &in.sin_addr);
        } else {
            // An IPv6 socket reaches IPv4 addresses through their mapped form.
            out.addr = "::ffff:" + text_of(AF_INET, &in.sin_addr);
        }
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        if (family != AF_INET6) return EAFNOSUPPORT;
        if (len < socklen_t(sizeof(sockaddr_in6))) return EINVAL;
        sockaddr_in6 in6;
        std::memcpy(&in6, sa, sizeof in6);
        out.port = ntohs(in6.sin6_port);
        out.addr = text_of(AF_INET6, &in6.sin6_addr);
        return 0;
    }
    return EAFNOSUPPORT;
}

void write_sockaddr(const proto::Endpoint& ep, int family, sockaddr* sa, socklen_t* len) {
    if (!sa || !len) return;
    sockaddr_storage full;
    std::memset(&full, 0, sizeof full);
    socklen_t size = 0;

    in_addr v4;
    in6_addr v6;
    const bool is_v4 = inet_pton(AF_INET, ep.addr.c_str(), &v4) == 1;
    const bool is_v6 = !is_v4 && inet_pton(AF_INET6, ep.addr.c_str(), &v6) == 1;

    if (family == AF_INET) {
        auto* in = reinterpret_cast<sockaddr_in*>(&full);
        in->sin_family = AF_INET;
        in->sin_port = htons(ep.port);
        if (is_v4)
            in->sin_addr = v4;
        else if (is_v6 && is_v4_mapped(v6))
            std::memcpy(&in->sin_addr, v6.s6_addr + 12, 4);
        size = sizeof(sockaddr_in);
    } else {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&full);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(ep.port);
        if (is_v6) {
            in6->sin6_addr = v6;
        } else if (is_v4) {
            in6->sin6_addr.s6_addr[10] = 0xff;
            in6->sin6_addr.s6_addr[11] = 0xff;
            std::memcpy(in6->sin6_addr.s6_addr + 12, &v4, 4);
        }
        size = sizeof(sockaddr_in6);
    }
    std::memcpy(sa, &full, std::min(*len, size));
    *len = size;
}

std::string any_address(int family) { return family == AF_INET6 ? "::" : "0.0.0.0"; }

std::string loopback_address(int family) { return family == AF_INET6 ? "::1" : "127.0.0.1"; }

bool is_wildcard(const std::string& addr) { return addr == "0.0.0.0" || addr == "::" || addr == "::ffff:0.0.0.0"; }

std::string plain_address(const std::string& addr) {
    in6_addr v6;
    if (inet_pton(AF_INET6, addr.c_str(), &v6) == 1 && is_v4_mapped(v6)) return text_of(AF_INET, v6.s6_addr + 12);
    return addr;
}

}  // namespace sockgate::posix
