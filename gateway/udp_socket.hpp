// A bound UDP socket relayed as DATAGRAM frames. No credit: bounded queues
// in both directions, and datagrams past them are dropped and counted.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "gateway/channel.hpp"
#include "protocol/frame.hpp"

namespace sockgate::gateway {

class UdpSocket : public Channel, public std::enable_shared_from_this<UdpSocket> {
public:
    // A socket bound to `endpoint`, for the constructor; throws
    // proto::ProtocolError with the errno name and the system's words when
    // it cannot be had.
    static asio::ip::udp::socket open(asio::io_context& io, const asio::ip::udp::endpoint& endpoint);

    UdpSocket(SessionLink& link, uint32_t id, asio::ip::udp::socket socket);

    proto::SocketKind kind() const override { return proto::SocketKind::udp; }
    void start();
    // DATAGRAM frames.
    bool on_client_frame(const proto::Frame& frame, std::string& message) override;
    void close_gracefully() override;
    void abort() override;
    asio::ip::udp::endpoint local_endpoint() const;

private:
    // A DATAGRAM frame from the client: policy check, then queue for sending.
    void on_client_datagram(const proto::Frame& frame);

    struct Outgoing {
        asio::ip::udp::endpoint to;
        std::string payload;
    };
    void do_receive();
    void on_readable(const asio::error_code& ec);
    bool receive_one();
    void fail(const proto::ErrorInfo& error);
    void do_send();
    void on_send(const asio::error_code& ec, size_t n);

    SessionLink* link_;
    Metrics& metrics_;
    asio::ip::udp::socket socket_;
    const size_t queue_limit_;
    const size_t backlog_limit_;  // WebSocket bytes past which inbound datagrams drop
    bool v6_ = false;

    asio::ip::udp::endpoint sender_;
    std::deque<Outgoing> send_queue_;
    bool sending_ = false;
    bool closing_ = false;
    bool closed_ = false;
};

}  // namespace sockgate::gateway
