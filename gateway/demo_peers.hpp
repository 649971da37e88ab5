// Built-in echo services (TCP and UDP on one port) so a newcomer has
// something to talk to through the gateway.
#pragma once

#include <asio.hpp>

#include <memory>
#include <string>

namespace sockgate::gateway {

class DemoPeers {
public:
    // Binds TCP on host:port (0 picks a port) and UDP on the same port.
    // Throws std::system_error when either cannot be bound.
    DemoPeers(asio::io_context& io, const std::string& host, uint16_t port);
    ~DemoPeers();
    uint16_t port() const;
    void stop();

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace sockgate::gateway
