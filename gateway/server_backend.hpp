// What Server asks of its websocketpp side, which exists twice: over plain
// TCP (server_plain.cpp) and over TLS (server_tls.cpp), both instances of
// the template in server_impl.hpp. No websocketpp here.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "gateway/metrics.hpp"
#include "gateway/options.hpp"
#include "gateway/policy.hpp"
#include "gateway/tls_context.hpp"

namespace sockgate::gateway {

class ServerBackend {
public:
    virtual ~ServerBackend() = default;

    // Binds and listens; throws std::system_error when it cannot.
    virtual void listen(const asio::ip::tcp::endpoint& endpoint) = 0;
    virtual void start() = 0;
    virtual asio::ip::tcp::endpoint local_endpoint() const = 0;
    virtual void set_demo_port(uint16_t port) = 0;
    virtual size_t stop() = 0;
    // Ends every session's sockets; for the gateway going away.
    virtual void terminate_sessions() = 0;
    // See Server::reload_tls.
    virtual std::string reload_tls() = 0;
};

std::unique_ptr<ServerBackend> make_plain_backend(asio::io_context& io, const Options& options, const Policy& policy,
                                                  Metrics& metrics);
std::unique_ptr<ServerBackend> make_tls_backend(asio::io_context& io, const Options& options, const Policy& policy,
                                                Metrics& metrics, TlsCertificate certificate);

}  // namespace sockgate::gateway
