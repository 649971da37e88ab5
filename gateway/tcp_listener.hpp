// A listening TCP socket; each accepted connection becomes a new TcpStream.
#pragma once

#include <memory>

#include "gateway/channel.hpp"

namespace sockgate::gateway {

class TcpListener : public Channel, public std::enable_shared_from_this<TcpListener> {
public:
    // A socket listening on `endpoint` with room for `backlog` pending
    // connections, for the constructor; throws proto::ProtocolError with the
    // errno name and the system's words when it cannot be had.
    static asio::ip::tcp::acceptor open(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint, int backlog);

    TcpListener(SessionLink& link, uint32_t id, asio::ip::tcp::acceptor acceptor);

    proto::SocketKind kind() const override { return proto::SocketKind::tcp_listener; }
    void start();
    void close_gracefully() override { abort(); }
    void abort() override;
    asio::ip::tcp::endpoint local_endpoint() const;

private:
    void do_accept();
    void on_accept(const asio::error_code& ec, asio::ip::tcp::socket socket);

    SessionLink* link_;
    asio::ip::tcp::acceptor acceptor_;
    asio::steady_timer retry_;
};

}  // namespace sockgate::gateway
