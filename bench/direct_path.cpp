#include "bench/direct_path.hpp"

#include <asio/connect.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>

namespace sockgate::bench {

using asio::ip::tcp;
using asio::ip::udp;

// ---------------------------------------------------------------- DirectStream

DirectStream::DirectStream(EventLoop& loop, tcp::socket socket, size_t read_buffer)
    : loop_(loop), socket_(std::move(socket)), read_buf_(read_buffer) {
    // The gateway sets TCP_NODELAY on its peer connections; match it.
    std::error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
}

void DirectStream::start() { do_read(); }

void DirectStream::do_read() {
    socket_.async_read_some(asio::buffer(read_buf_), [this](const std::error_code& ec, size_t n) { on_read(ec, n); });
}

void DirectStream::on_read(const std::error_code& ec, size_t n) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) return loop_.fail("direct stream: receive: " + ec.message());
    if (sink_) sink_->on_stream_data(std::string_view(read_buf_.data(), n));
    do_read();
}

void DirectStream::write(std::string_view bytes) {
    if (writing_) {
        pending_.append(bytes);
        return;
    }
    in_flight_.assign(bytes);
    do_write();
}

void DirectStream::do_write() {
    writing_ = true;
    asio::async_write(socket_, asio::buffer(in_flight_), [this](const std::error_code& ec, size_t) { on_write(ec); });
}

void DirectStream::on_write(const std::error_code& ec) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) return loop_.fail("direct stream: send: " + ec.message());
    if (!pending_.empty()) {
        in_flight_.swap(pending_);
        pending_.clear();
        do_write();
        return;
    }
    writing_ = false;
    if (sink_) sink_->on_stream_ready();
}

// ---------------------------------------------------------------- DirectDatagramPort

DirectDatagramPort::DirectDatagramPort(EventLoop& loop, const udp::endpoint& peer)
    : loop_(loop),
      socket_(loop.io(), udp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0)),
      peer_(peer),
      buffer_(65536) {
    do_receive();
}

void DirectDatagramPort::send(std::string_view payload) {
    // Like the relay path, which hands each datagram to the WebSocket and
    // moves on: one send, no waiting. On loopback it does not block.
    std::error_code ec;
    socket_.send_to(asio::buffer(payload.data(), payload.size()), peer_, 0, ec);
    if (ec) loop_.fail("direct udp: send: " + ec.message());
}

void DirectDatagramPort::do_receive() {
    socket_.async_receive_from(asio::buffer(buffer_), sender_,
                               [this](const std::error_code& ec, size_t n) { on_receive(ec, n); });
}

void DirectDatagramPort::on_receive(const std::error_code& ec, size_t n) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) return loop_.fail("direct udp: receive: " + ec.message());
    if (sink_) sink_->on_datagram(std::string_view(buffer_.data(), n));
    do_receive();
}

// ---------------------------------------------------------------- DirectPath

DirectPath::DirectPath(EventLoop& loop, uint16_t tcp_port, uint16_t udp_port, size_t read_buffer, size_t connect_window)
    : loop_(loop),
      tcp_peer_(asio::ip::make_address_v4("127.0.0.1"), tcp_port),
      udp_peer_(asio::ip::make_address_v4("127.0.0.1"), udp_port),
      read_buffer_(read_buffer),
      connect_window_(connect_window) {}

void DirectPath::open_streams(size_t sessions, size_t per_session, std::function<void(std::vector<Stream*>)> done) {
    wanted_ = sessions * per_session;
    streams_.reserve(wanted_);
    streams_done_ = std::move(done);
    do_connect_more();
}

void DirectPath::do_connect_more() {
    while (started_ < wanted_ && in_flight_ < connect_window_) {
        ++started_;
        ++in_flight_;
        auto socket = std::make_unique<tcp::socket>(loop_.io());
        tcp::socket& s = *socket;
        s.async_connect(tcp_peer_, [this, socket = std::move(socket)](const std::error_code& ec) mutable {
            on_connected(ec, std::move(socket));
        });
    }
}

void DirectPath::on_connected(const std::error_code& ec, std::unique_ptr<tcp::socket> socket) {
    --in_flight_;
    if (ec == asio::error::operation_aborted) return;
    if (ec)
        return loop_.fail("direct connect failed with " + std::to_string(streams_.size()) + " of " +
                          std::to_string(wanted_) + " sockets open: " + ec.message());
    streams_.push_back(std::make_unique<DirectStream>(loop_, std::move(*socket), read_buffer_));
    streams_.back()->start();
    if (streams_.size() < wanted_) return do_connect_more();

    std::vector<Stream*> all;
    for (auto& s : streams_) all.push_back(s.get());
    streams_done_(std::move(all));
}

void DirectPath::open_datagram_port(std::function<void(DatagramPort*)> done) {
    datagram_port_ = std::make_unique<DirectDatagramPort>(loop_, udp_peer_);
    DatagramPort* port = datagram_port_.get();
    // Report from the loop, like the relay path, not from inside the call.
    asio::post(loop_.io(), [port, done = std::move(done)] { done(port); });
}

}  // namespace sockgate::bench
