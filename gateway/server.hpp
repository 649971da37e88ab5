// The gateway's one port: static files, /healthz, /metrics and the /ws
// WebSocket endpoint, over plain TCP or, with --tls-cert, over TLS.
// websocketpp stays inside the server_*.cpp files.
#pragma once

#include <asio.hpp>

#include <memory>
#include <string>

#include "gateway/metrics.hpp"
#include "gateway/options.hpp"
#include "gateway/policy.hpp"

namespace sockgate::gateway {

class ServerBackend;

class Server {
public:
    // With options.tls_cert set, loads the certificate and key first; throws
    // TlsError (tls_context.hpp) when they cannot be used.
    Server(asio::io_context& io, const Options& options, const Policy& policy, Metrics& metrics);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and starts accepting; throws std::system_error when it cannot.
    void start();
    asio::ip::tcp::endpoint local_endpoint() const;
    bool tls() const { return tls_; }
    // Where the demo echo services listen, for GET /api/info (0: none).
    void set_demo_port(uint16_t port);
    // Stops accepting and closes every session with 1001 (going away).
    // Returns how many sessions are closing.
    size_t stop();
    // SIGHUP under TLS: loads the certificate and key again from the same
    // files. New connections get the new one, open ones keep theirs; if the
    // files do not load, the running certificate stays. Returns the line to
    // log ("" without TLS).
    std::string reload_tls();

private:
    const Options& options_;
    bool tls_ = false;
    std::unique_ptr<ServerBackend> backend_;
};

}  // namespace sockgate::gateway
