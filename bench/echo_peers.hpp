// The far end of every workload: a TCP echo server and a UDP echo server on
// loopback, in a process of their own, shared by the direct and relay paths
// so both talk to exactly the same peer.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>

namespace sockgate::bench {

// Accepts any number of connections and echoes every byte back.
//
// Each connection waits for readability, then reads into a buffer shared by
// all connections and writes straight back; only bytes the kernel would not
// take at once get a buffer of their own. Ten thousand idle connections thus
// cost the bench almost nothing, while a busy one still echoes 64 KiB per
// read.
class TcpEchoServer {
public:
    explicit TcpEchoServer(asio::io_context& io);
    uint16_t port() const { return port_; }

private:
    void do_accept();
    void on_accept(const std::error_code& ec, asio::ip::tcp::socket socket);

    asio::ip::tcp::acceptor acceptor_;
    std::vector<char> scratch_;
    uint16_t port_ = 0;
};

// Sends every datagram back to where it came from.
class UdpEchoServer {
public:
    explicit UdpEchoServer(asio::io_context& io);
    uint16_t port() const { return port_; }

private:
    void do_receive();
    void on_receive(const std::error_code& ec, size_t n);

    asio::ip::udp::socket socket_;
    asio::ip::udp::endpoint sender_;
    std::vector<char> buffer_;
    uint16_t port_ = 0;
};

// Both servers on 127.0.0.1, in a child process of the bench that lives as
// long as this object.
//
// A process rather than a thread: the direct fan-out holds both ends of
// every connection, and 2 x 10,000 sockets do not fit under one process's
// open-file limit where the hard limit is 20,000 and cannot be raised.
// Construct it before any thread exists (it forks).
class EchoPeers {
public:
    EchoPeers();
    // Closes the control pipe, on which the child exits, and reaps it.
    ~EchoPeers();
    EchoPeers(const EchoPeers&) = delete;
    EchoPeers& operator=(const EchoPeers&) = delete;

    uint16_t tcp_port() const { return tcp_port_; }
    uint16_t udp_port() const { return udp_port_; }

private:
    pid_t pid_ = -1;
    int control_fd_ = -1;  // its closing tells the child to exit
    uint16_t tcp_port_ = 0;
    uint16_t udp_port_ = 0;
};

}  // namespace sockgate::bench
