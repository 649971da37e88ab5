// Conversions between the program's socket addresses (struct sockaddr_in /
// sockaddr_in6) and the gateway's endpoints ({"addr": text, "port": n}).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

#include "protocol/messages.hpp"

namespace sockgate::posix {

// Reads the address a program passed to bind, connect or sendto on a socket
// of `family` (AF_INET or AF_INET6). Returns 0 or the errno to report, as
// Linux does: EFAULT for a null pointer, EINVAL for a short length,
// EAFNOSUPPORT for an IPv6 address on an IPv4 socket. An AF_INET address on
// an AF_INET6 socket is too short (EINVAL) unless `ipv4_on_ipv6` (UDP
// sendto and connect accept it): then it is taken in its IPv4-mapped form.
int read_sockaddr(const sockaddr* sa, socklen_t len, int family, proto::Endpoint& out, bool ipv4_on_ipv6 = false);

// Writes an endpoint into the program's buffer for accept, recvfrom,
// getsockname and getpeername, as a socket of `family` sees it: IPv4
// endpoints become IPv4-mapped IPv6 addresses on AF_INET6 sockets. Like the
// kernel, it truncates to *len bytes and sets *len to the full size. Does
// nothing when sa or len is null.
void write_sockaddr(const proto::Endpoint& ep, int family, sockaddr* sa, socklen_t* len);

// The family's wildcard address ("0.0.0.0" or "::") and loopback address.
std::string any_address(int family);
std::string loopback_address(int family);
bool is_wildcard(const std::string& addr);

// "127.0.0.1" stays as is; "::ffff:127.0.0.1" becomes "127.0.0.1": the
// gateway reports IPv4 peers of IPv6 sockets in this plain form, and
// comparisons (UDP peer filtering) must treat both as the same address.
std::string plain_address(const std::string& addr);

}  // namespace sockgate::posix
