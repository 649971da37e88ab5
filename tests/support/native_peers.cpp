#include "support/native_peers.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <vector>

namespace sockgate::testing {
namespace {

struct SockAddr {
    sockaddr_storage ss{};
    socklen_t len = 0;
    int family = AF_INET;
};

SockAddr make_addr(const std::string& host, uint16_t port) {
    SockAddr a;
    if (host.find(':') != std::string::npos) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&a.ss);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        if (inet_pton(AF_INET6, host.c_str(), &s6->sin6_addr) != 1) throw std::runtime_error("bad address " + host);
        a.len = sizeof(sockaddr_in6);
        a.family = AF_INET6;
    } else {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&a.ss);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        if (inet_pton(AF_INET, host.c_str(), &s4->sin_addr) != 1) throw std::runtime_error("bad address " + host);
        a.len = sizeof(sockaddr_in);
    }
    return a;
}

uint16_t bound_port(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, int(timeout.count())) > 0;
}

}  // namespace

void Fd::reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

Fd tcp_listen(const std::string& host, uint16_t& port) {
    const SockAddr a = make_addr(host, port);
    Fd fd(socket(a.family, SOCK_STREAM, 0));
    int one = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&a.ss), a.len) != 0) throw std::runtime_error("bind failed");
    if (listen(fd.get(), 64) != 0) throw std::runtime_error("listen failed");
    port = bound_port(fd.get());
    return fd;
}

Fd tcp_accept(const Fd& listener, std::chrono::milliseconds timeout) {
    if (!wait_readable(listener.get(), timeout)) return Fd();
    return Fd(accept(listener.get(), nullptr, nullptr));
}

Fd tcp_connect(const std::string& host, uint16_t port) {
    const SockAddr a = make_addr(host, port);
    Fd fd(socket(a.family, SOCK_STREAM, 0));
    if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&a.ss), a.len) != 0) return Fd();
    return fd;
}

bool write_all(const Fd& fd, const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = send(fd.get(), data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return false;
        off += size_t(n);
    }
    return true;
}

std::string read_exactly(const Fd& fd, size_t n, std::chrono::milliseconds timeout) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::vector<char> buf(65536);
    while (out.size() < n) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !wait_readable(fd.get(), left)) break;
        const ssize_t r = recv(fd.get(), buf.data(), std::min(buf.size(), n - out.size()), 0);
        if (r <= 0) break;
        out.append(buf.data(), size_t(r));
    }
    return out;
}

std::optional<std::string> read_to_eof(const Fd& fd, std::chrono::milliseconds timeout) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::vector<char> buf(65536);
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !wait_readable(fd.get(), left)) return std::nullopt;
        const ssize_t r = recv(fd.get(), buf.data(), buf.size(), 0);
        if (r == 0) return out;
        if (r < 0) return std::nullopt;
        out.append(buf.data(), size_t(r));
    }
}

bool wait_peer_closed(const Fd& fd, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::vector<char> buf(65536);
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !wait_readable(fd.get(), left)) return false;
        if (recv(fd.get(), buf.data(), buf.size(), 0) <= 0) return true;
    }
}

void close_with_reset(Fd& fd) {
    linger l{1, 0};
    setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
    fd.reset();
}

void shutdown_write(const Fd& fd) { ::shutdown(fd.get(), SHUT_WR); }

Fd udp_bind(const std::string& host, uint16_t& port) {
    const SockAddr a = make_addr(host, port);
    Fd fd(socket(a.family, SOCK_DGRAM, 0));
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&a.ss), a.len) != 0)
        throw std::runtime_error("udp bind failed");
    port = bound_port(fd.get());
    return fd;
}

bool udp_send_to(const Fd& fd, const std::string& host, uint16_t port, const std::string& payload) {
    const SockAddr a = make_addr(host, port);
    return sendto(fd.get(), payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&a.ss), a.len) ==
           ssize_t(payload.size());
}

std::optional<Datagram> udp_recv(const Fd& fd, std::chrono::milliseconds timeout) {
    if (!wait_readable(fd.get(), timeout)) return std::nullopt;
    std::vector<char> buf(65536);
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    const ssize_t n = recvfrom(fd.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&ss), &len);
    if (n < 0) return std::nullopt;
    Datagram d;
    d.payload.assign(buf.data(), size_t(n));
    char text[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET6) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
        inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof text);
        d.from_port = ntohs(s6->sin6_port);
    } else {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
        inet_ntop(AF_INET, &s4->sin_addr, text, sizeof text);
        d.from_port = ntohs(s4->sin_port);
    }
    d.from_addr = text;
    return d;
}

TcpEchoServer::TcpEchoServer() {
    listener_ = tcp_listen("127.0.0.1", port_);
    thread_ = std::thread([this] { run(); });
}

TcpEchoServer::~TcpEchoServer() {
    stop_ = true;
    thread_.join();
}

// One thread, poll() over the listener and every connection: enough for tests.
void TcpEchoServer::run() {
    std::vector<Fd> conns;
    std::vector<char> buf(65536);
    while (!stop_) {
        std::vector<pollfd> fds{{listener_.get(), POLLIN, 0}};
        for (auto& c : conns) fds.push_back({c.get(), POLLIN, 0});
        if (poll(fds.data(), fds.size(), 50) <= 0) continue;
        if (fds[0].revents & POLLIN) {
            Fd c(accept(listener_.get(), nullptr, nullptr));
            if (c) {
                ++connections_;
                conns.push_back(std::move(c));
            }
        }
        for (size_t i = 1; i < fds.size(); ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            Fd& c = conns[i - 1];
            const ssize_t n = recv(c.get(), buf.data(), buf.size(), 0);
            if (n <= 0) {
                if (n == 0) ::shutdown(c.get(), SHUT_WR);
                c.reset();
                continue;
            }
            // Blocking echo; the gateway keeps reading while we write.
            write_all(c, std::string(buf.data(), size_t(n)));
        }
        std::vector<Fd> alive;
        for (auto& c : conns)
            if (c) alive.push_back(std::move(c));
        conns = std::move(alive);
    }
}

std::string pattern_bytes(size_t n, uint32_t seed) {
    std::string out(n, '\0');
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out[i] = char(x & 0xff);
    }
    return out;
}

uint64_t fnv1a(const std::string& data) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : data) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

}  // namespace sockgate::testing
