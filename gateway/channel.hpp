// A socket a session owns (TCP stream, TCP listener, UDP socket) and the
// narrow view of the session that such a socket needs.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/metrics.hpp"
#include "gateway/options.hpp"
#include "gateway/policy.hpp"
#include "gateway/token_bucket.hpp"
#include "protocol/errors.hpp"
#include "protocol/frame.hpp"
#include "protocol/socket_kind.hpp"

namespace sockgate::gateway {

// The session, as seen by its sockets. Only called on the io_context thread,
// and only while the socket is attached to the session.
class SessionLink {
public:
    virtual ~SessionLink() = default;
    virtual void send_frame(const uint8_t* data, size_t size) = 0;  // binary WebSocket message
    virtual void send_text(const std::string& text) = 0;            // control message
    // Bytes waiting in the WebSocket's send buffer (UDP drops past a bound).
    virtual size_t wire_backlog() const = 0;
    // The socket ended on the gateway side; the session forgets it and sends
    // `closed`. The channel closes its own socket.
    virtual void channel_failed(uint32_t sock, const proto::ErrorInfo& error) = 0;
    // A listener accepted a connection.
    virtual void channel_accepted(uint32_t listener, asio::ip::tcp::socket socket) = 0;
    // A non-fatal problem with one socket: `error {error, sock}`.
    virtual void channel_error(uint32_t sock, const proto::ErrorInfo& error) = 0;

    // The session's --rate-bytes budgets, shared by all its sockets.
    virtual TokenBucket& to_client_bytes() = 0;
    virtual TokenBucket& from_client_bytes() = 0;

    virtual const Options& options() const = 0;
    virtual const Policy& policy() const = 0;
    virtual Metrics& metrics() = 0;
};

class Channel {
public:
    explicit Channel(uint32_t id) : id_(id) {}
    virtual ~Channel() = default;
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;

    uint32_t id() const { return id_; }
    virtual proto::SocketKind kind() const = 0;
    // A binary frame from the client for this socket: `frame` decoded from
    // `message`, the whole WebSocket message, which the channel may take.
    // False when frames of that kind are not for this kind of socket (the
    // session then answers with an error).
    virtual bool on_client_frame(const proto::Frame& frame, std::string& message) {
        (void)frame;
        (void)message;
        return false;
    }
    // The client asked to close: flush what is queued (best effort), then close.
    virtual void close_gracefully() = 0;
    // The session is going away: close now, report nothing.
    virtual void abort() = 0;

private:
    uint32_t id_;
};

// errno name and readable text for a socket error.
proto::ErrorInfo error_info(const asio::error_code& ec, std::string_view context = {});

// asio endpoint <-> wire endpoint / address.
proto::Endpoint to_wire(const asio::ip::tcp::endpoint& ep);
proto::Endpoint to_wire(const asio::ip::udp::endpoint& ep);
proto::IpAddress to_ip(const asio::ip::address& a);
asio::ip::address from_ip(const proto::IpAddress& a);
// ::ffff:a.b.c.d -> a.b.c.d; everything else unchanged.
asio::ip::address unmap(const asio::ip::address& a);

}  // namespace sockgate::gateway
