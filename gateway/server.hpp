// The gateway's one port: static files, /healthz, /metrics and the /ws
// WebSocket endpoint. websocketpp stays inside server.cpp.
#pragma once

#include <asio.hpp>

#include <memory>

#include "gateway/metrics.hpp"
#include "gateway/options.hpp"
#include "gateway/policy.hpp"

namespace sockgate::gateway {

class Server {
public:
    Server(asio::io_context& io, const Options& options, const Policy& policy, Metrics& metrics);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and starts accepting; throws std::system_error when it cannot.
    void start();
    asio::ip::tcp::endpoint local_endpoint() const;
    // Where the demo echo services listen, for GET /api/info (0: none).
    void set_demo_port(uint16_t port);
    // Stops accepting and closes every session with 1001 (going away).
    // Returns how many sessions are closing.
    size_t stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sockgate::gateway
