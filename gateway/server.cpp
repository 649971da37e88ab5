#include "gateway/server.hpp"

#include "gateway/server_backend.hpp"
#include "gateway/tls_context.hpp"

namespace sockgate::gateway {

Server::Server(asio::io_context& io, const Options& options, const Policy& policy, Metrics& metrics)
    : options_(options), tls_(!options.tls_cert.empty()) {
    backend_ =
        tls_ ? make_tls_backend(io, options, policy, metrics, load_tls_certificate(options.tls_cert, options.tls_key))
             : make_plain_backend(io, options, policy, metrics);
}

Server::~Server() { backend_->terminate_sessions(); }

void Server::start() {
    asio::error_code ec;
    const auto addr =
        asio::ip::make_address(options_.listen_host == "localhost" ? "127.0.0.1" : options_.listen_host, ec);
    if (ec) throw std::system_error(ec, "listen address " + options_.listen_host);
    try {
        backend_->listen(asio::ip::tcp::endpoint(addr, options_.listen_port));
    } catch (const std::system_error& e) {
        throw std::system_error(e.code(),
                                "listen on " + options_.listen_host + ":" + std::to_string(options_.listen_port));
    }
    backend_->start();
}

void Server::set_demo_port(uint16_t port) { backend_->set_demo_port(port); }

asio::ip::tcp::endpoint Server::local_endpoint() const { return backend_->local_endpoint(); }

size_t Server::stop() { return backend_->stop(); }

std::string Server::reload_tls() { return backend_->reload_tls(); }

}  // namespace sockgate::gateway
