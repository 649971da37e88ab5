#include "gateway/udp_socket.hpp"

#include "gateway/receive_buffer.hpp"

namespace sockgate::gateway {
namespace {

constexpr size_t kMaxUdpPayload = 65535;
static_assert(proto::kDatagramHeaderMax + kMaxUdpPayload <= kReceiveBufferSize);
// Datagrams taken per wake-up, so one busy socket cannot starve the others.
constexpr int kMaxDatagramsPerWake = 16;
// An inbound datagram is dropped once the session's WebSocket buffer holds
// more than this many bytes per queue slot: the browser is not keeping up.
constexpr size_t kBacklogBytesPerSlot = 2048;

}  // namespace

asio::ip::udp::socket UdpSocket::open(asio::io_context& io, const asio::ip::udp::endpoint& endpoint) {
    asio::ip::udp::socket socket(io);
    asio::error_code ec;
    socket.open(endpoint.protocol(), ec);
    if (!ec) socket.bind(endpoint, ec);
    if (ec)
        throw proto::ProtocolError(error_info(ec).code, "bind udp " + endpoint.address().to_string() + " port " +
                                                            std::to_string(endpoint.port()) + ": " + ec.message());
    return socket;
}

UdpSocket::UdpSocket(SessionLink& link, uint32_t id, asio::ip::udp::socket socket)
    : Channel(id),
      link_(&link),
      metrics_(link.metrics()),
      socket_(std::move(socket)),
      queue_limit_(link.options().udp_queue),
      backlog_limit_(size_t(link.options().udp_queue) * kBacklogBytesPerSlot) {
    asio::error_code ec;
    v6_ = socket_.local_endpoint(ec).address().is_v6();
    // Receives happen once the socket is readable and must never block.
    socket_.non_blocking(true, ec);
}

void UdpSocket::start() { do_receive(); }

asio::ip::udp::endpoint UdpSocket::local_endpoint() const {
    asio::error_code ec;
    return socket_.local_endpoint(ec);
}

// Waits for datagrams rather than keeping a receive pending, so an idle
// socket holds no buffer; see receive_buffer.hpp.
void UdpSocket::do_receive() {
    socket_.async_wait(asio::ip::udp::socket::wait_read,
                       [self = shared_from_this()](const asio::error_code& ec) { self->on_readable(ec); });
}

void UdpSocket::on_readable(const asio::error_code& ec) {
    if (!link_ || closed_) return;
    if (ec) {
        fail(error_info(ec, "udp receive"));
        return;
    }
    for (int i = 0; i < kMaxDatagramsPerWake && link_ && !closed_; ++i)
        if (!receive_one()) break;
    if (link_ && !closed_) do_receive();
}

// Relays one waiting datagram to the client; false once none is left or the
// socket failed.
bool UdpSocket::receive_one() {
    // Receive behind the largest header so any header fits in front in place.
    uint8_t* buffer = receive_buffer();
    asio::error_code ec;
    const size_t n =
        socket_.receive_from(asio::buffer(buffer + proto::kDatagramHeaderMax, kMaxUdpPayload), sender_, 0, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return false;
    if (ec == asio::error::interrupted) return true;
    if (ec) {
        // ICMP errors surface on some systems as receive errors; they concern
        // an earlier send, not this socket's health.
        if (ec == asio::error::connection_refused || ec == asio::error::host_unreachable ||
            ec == asio::error::network_unreachable) {
            link_->channel_error(id(), error_info(ec, "udp"));
            return true;
        }
        fail(error_info(ec, "udp receive"));
        return false;
    }
    if (n > proto::kMaxDatagramPayload) {
        // Only IPv6 can carry these; the protocol's frames cannot.
        ++metrics_.datagrams_dropped_to_client;
    } else if (link_->wire_backlog() > backlog_limit_) {
        ++metrics_.datagrams_dropped_to_client;
    } else if (!link_->to_client_bytes().ready()) {
        ++metrics_.datagrams_dropped_to_client;  // over --rate-bytes: UDP may lose datagrams, TCP may not
    } else {
        link_->to_client_bytes().take(n);
        const proto::IpAddress from = to_ip(sender_.address());
        const size_t header = proto::datagram_header_size(from.family);
        uint8_t* frame = buffer + proto::kDatagramHeaderMax - header;
        proto::write_datagram_header(frame, id(), from, sender_.port());
        link_->send_frame(frame, header + n);
        ++metrics_.datagrams_to_client;
        metrics_.datagram_bytes_to_client += n;
    }
    return true;
}

void UdpSocket::fail(const proto::ErrorInfo& error) {
    SessionLink* link = link_;
    abort();
    if (link) link->channel_failed(id(), error);
}

bool UdpSocket::on_client_frame(const proto::Frame& frame, std::string&) {
    if (frame.kind != proto::FrameKind::datagram) return false;
    on_client_datagram(frame);
    return true;
}

void UdpSocket::on_client_datagram(const proto::Frame& frame) {
    if (closing_ || closed_) return;
    const Decision d = link_->policy().check_destination(Proto::udp, frame.peer_addr, frame.peer_port);
    if (!d.allowed) {
        ++metrics_.denied_by_policy;
        link_->channel_error(id(), {"EACCES", d.reason});
        return;
    }
    asio::ip::address to = unmap(from_ip(frame.peer_addr));
    if (v6_ && to.is_v4()) {
        to = asio::ip::make_address_v6(asio::ip::v4_mapped, to.to_v4());
    } else if (!v6_ && to.is_v6()) {
        link_->channel_error(id(), {"EAFNOSUPPORT", "socket " + std::to_string(id()) +
                                                        " is bound to IPv4 and cannot send to " + to.to_string()});
        return;
    }
    if (!link_->from_client_bytes().ready()) {
        ++metrics_.datagrams_dropped_from_client;  // over --rate-bytes
        return;
    }
    link_->from_client_bytes().take(frame.payload.size());
    const asio::ip::udp::endpoint destination(to, frame.peer_port);
    // Send at once when nothing waits: the kernel takes a datagram unless the
    // socket's send buffer is full. One WebSocket read can carry hundreds of
    // datagrams, and queueing each for an asynchronous send would fill the
    // queue (and drop) before the first send completed.
    if (!sending_ && send_queue_.empty()) {
        asio::error_code ec;
        const size_t n = socket_.send_to(asio::buffer(frame.payload.data(), frame.payload.size()), destination, 0, ec);
        if (!ec) {
            ++metrics_.datagrams_from_client;
            metrics_.datagram_bytes_from_client += n;
            return;
        }
        if (ec != asio::error::would_block && ec != asio::error::try_again && ec != asio::error::interrupted) {
            link_->channel_error(id(), error_info(ec, "udp send to " + to.to_string()));
            return;
        }
    }
    if (send_queue_.size() >= queue_limit_) {
        ++metrics_.datagrams_dropped_from_client;
        return;
    }
    send_queue_.push_back({destination, std::string(frame.payload)});
    do_send();
}

void UdpSocket::do_send() {
    if (sending_ || send_queue_.empty() || closed_) return;
    sending_ = true;
    const Outgoing& out = send_queue_.front();
    socket_.async_send_to(asio::buffer(out.payload), out.to,
                          [self = shared_from_this()](const asio::error_code& ec, size_t n) { self->on_send(ec, n); });
}

void UdpSocket::on_send(const asio::error_code& ec, size_t n) {
    sending_ = false;
    if (closed_) return;
    if (ec) {
        if (link_)
            link_->channel_error(id(), error_info(ec, "udp send to " + send_queue_.front().to.address().to_string()));
    } else {
        ++metrics_.datagrams_from_client;
        metrics_.datagram_bytes_from_client += n;
    }
    send_queue_.pop_front();
    if (send_queue_.empty() && closing_) {
        abort();
        return;
    }
    do_send();
}

void UdpSocket::close_gracefully() {
    link_ = nullptr;
    closing_ = true;
    if (!sending_ && send_queue_.empty()) abort();
}

void UdpSocket::abort() {
    if (closed_) return;
    link_ = nullptr;
    closed_ = true;
    asio::error_code ignored;
    socket_.close(ignored);
}

}  // namespace sockgate::gateway
