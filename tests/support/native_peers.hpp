// Plain POSIX sockets on loopback: the real peers the gateway relays to, and
// the "other side" a test uses to check what arrived.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

namespace sockgate::testing {

using namespace std::chrono_literals;

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = o.release();
        }
        return *this;
    }
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() {
        int f = fd_;
        fd_ = -1;
        return f;
    }
    void reset();

private:
    int fd_ = -1;
};

// TCP
Fd tcp_listen(const std::string& host, uint16_t& port);                     // port 0: ephemeral, updated
Fd tcp_accept(const Fd& listener, std::chrono::milliseconds timeout = 5s);  // invalid Fd on timeout
Fd tcp_connect(const std::string& host, uint16_t port);                     // invalid Fd if refused
bool write_all(const Fd& fd, const std::string& data);
// Reads exactly n bytes, or fewer if the peer closes or the time runs out.
std::string read_exactly(const Fd& fd, size_t n, std::chrono::milliseconds timeout = 10s);
// Reads until EOF; nullopt if the time runs out first.
std::optional<std::string> read_to_eof(const Fd& fd, std::chrono::milliseconds timeout = 10s);
// True once the peer closed the connection (FIN or RST), discarding any
// data that comes first; false if it is still open when the time runs out.
bool wait_peer_closed(const Fd& fd, std::chrono::milliseconds timeout = 5s);
// Sends RST instead of FIN on close.
void close_with_reset(Fd& fd);
void shutdown_write(const Fd& fd);

// UDP
Fd udp_bind(const std::string& host, uint16_t& port);
bool udp_send_to(const Fd& fd, const std::string& host, uint16_t port, const std::string& payload);
struct Datagram {
    std::string payload;
    std::string from_addr;
    uint16_t from_port = 0;
};
std::optional<Datagram> udp_recv(const Fd& fd, std::chrono::milliseconds timeout = 5s);

// An echo server for TCP (every connection, until closed) on loopback.
class TcpEchoServer {
public:
    TcpEchoServer();
    ~TcpEchoServer();
    uint16_t port() const { return port_; }
    int connections() const { return connections_; }

private:
    void run();
    Fd listener_;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    std::thread thread_;
};

// Deterministic pseudo-random bytes and a checksum to compare big transfers.
std::string pattern_bytes(size_t n, uint32_t seed);
uint64_t fnv1a(const std::string& data);

}  // namespace sockgate::testing
