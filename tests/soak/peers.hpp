// The real sockets at the far end of the relay, run in the soak process on
// an io_context thread of their own: TCP echo servers, a peer that answers
// and then resets, a UDP echo, and connections made into session listeners.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>

#include "soak/tally.hpp"

namespace sockgate::soak {

class Peers {
public:
    // `echo_ports` listeners share the echo load, so that connections closed
    // from this side leave their TIME_WAIT states spread over more
    // address pairs.
    Peers(Tally& tally, size_t echo_ports);
    ~Peers();
    Peers(const Peers&) = delete;
    Peers& operator=(const Peers&) = delete;

    // Echoes everything; after the client's FIN, finishes echoing and
    // half-closes too.
    const std::vector<uint16_t>& echo_ports() const { return echo_ports_; }
    // Reads a 4-byte big-endian length and that many bytes, echoes them,
    // then on one more byte closes with a reset (SO_LINGER 0).
    uint16_t reset_port() const { return reset_port_; }
    // Echoes every datagram to its sender.
    uint16_t udp_echo_port() const { return udp_port_; }

    // Connects to a session's listener at 127.0.0.1:port and echoes on
    // that connection like the echo servers do.
    void connect_in(uint16_t port);

    // TCP connections the peers hold open now.
    int64_t open_connections() const { return open_->load(); }

    // Closes every listener and connection and stops the thread.
    void stop();

private:
    asio::io_context io_;
    std::shared_ptr<std::atomic<int64_t>> open_;
    Tally& tally_;
    std::vector<uint16_t> echo_ports_;
    uint16_t reset_port_ = 0;
    uint16_t udp_port_ = 0;
    struct Servers;
    std::unique_ptr<Servers> servers_;
    std::thread thread_;
};

}  // namespace sockgate::soak
