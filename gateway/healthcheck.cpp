#include "gateway/healthcheck.hpp"

#include <asio.hpp>

#include <string_view>

namespace sockgate::gateway {

std::string healthcheck_host(const std::string& listen_host) {
    if (listen_host == "0.0.0.0") return "127.0.0.1";
    if (listen_host == "::") return "::1";
    return listen_host;
}

bool check_health(const std::string& host, uint16_t port, std::chrono::milliseconds timeout, std::ostream& why) {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    asio::ip::tcp::socket socket(io);
    const bool ipv6 = host.find(':') != std::string::npos;
    const std::string request = "GET /healthz HTTP/1.0\r\nHost: " + (ipv6 ? "[" + host + "]" : host) + ":" +
                                std::to_string(port) + "\r\nConnection: close\r\n\r\n";
    std::string response;
    asio::error_code failure;
    std::string step = "resolve " + host;

    // One chain of asynchronous steps, so that one deadline covers them all.
    resolver.async_resolve(host, std::to_string(port), [&](const asio::error_code& ec, auto endpoints) {
        if (ec) return void(failure = ec);
        step = "connect to " + host + ":" + std::to_string(port);
        asio::async_connect(socket, endpoints, [&](const asio::error_code& connect_ec, const auto&) {
            if (connect_ec) return void(failure = connect_ec);
            step = "send the request";
            asio::async_write(socket, asio::buffer(request), [&](const asio::error_code& write_ec, size_t) {
                if (write_ec) return void(failure = write_ec);
                step = "read the answer";
                asio::async_read(socket, asio::dynamic_buffer(response), [&](const asio::error_code& read_ec, size_t) {
                    if (read_ec && read_ec != asio::error::eof) failure = read_ec;
                    step.clear();
                });
            });
        });
    });
    io.run_for(timeout);
    if (!step.empty() && !failure) {
        why << "no answer from " << host << ":" << port << " within " << timeout.count() << " ms (at: " << step << ")";
        return false;
    }
    if (failure) {
        why << "cannot " << step << ": " << failure.message();
        return false;
    }
    const auto line_end = response.find("\r\n");
    const std::string status_line = response.substr(0, line_end);
    if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0 || status_line.compare(9, 3, "200") != 0) {
        why << "/healthz answered '" << status_line << "'";
        return false;
    }
    const auto body = response.find("\r\n\r\n");
    if (body == std::string::npos || response.find("\"status\":\"ok\"", body) == std::string::npos) {
        why << "/healthz did not report status ok";
        return false;
    }
    return true;
}

}  // namespace sockgate::gateway
