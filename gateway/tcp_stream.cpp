#include "gateway/tcp_stream.hpp"

#include <algorithm>
#include <utility>

#include "gateway/receive_buffer.hpp"
#include "protocol/flow_control.hpp"
#include "protocol/frame.hpp"
#include "protocol/messages.hpp"

namespace sockgate::gateway {
namespace {

// Largest single read from a peer, and so the largest DATA frame we send:
// each frame costs a WebSocket message, so fewer, larger ones save CPU
// (docs/PERFORMANCE.md has what 256 rather than 64 KiB saved). Reads share one buffer, so the size costs no memory
// per socket; it is still small against the window, so one frame holds the
// session's other sockets back by little.
constexpr uint32_t kMaxReadChunk = 256 * 1024;
static_assert(proto::kFrameHeaderSize + kMaxReadChunk <= kReceiveBufferSize);
// Frames gathered into one write to the peer.
constexpr size_t kMaxWriteBatch = 64;
// Credit written to the peer is granted back at once from this much on;
// smaller amounts wait until they add up (grant_client_credit).
constexpr uint64_t kGrantBatch = 4096;
// Under --rate-bytes, a read or write waits until the session's budget
// allows this much (or all there is to move), so a limited stream moves in a
// few reasonable chunks a second, not a byte at a time.
constexpr uint64_t kMinThrottledChunk = 16 * 1024;
// How long a closed socket may take to flush its queued data to the peer.
constexpr auto kCloseLinger = std::chrono::seconds(10);

}  // namespace

TcpStream::TcpStream(SessionLink& link, uint32_t id, asio::ip::tcp::socket socket)
    : Channel(id),
      link_(&link),
      metrics_(link.metrics()),
      socket_(std::move(socket)),
      linger_(socket_.get_executor()),
      read_throttle_(socket_.get_executor()),
      write_throttle_(socket_.get_executor()),
      max_read_(std::min<uint32_t>(kMaxReadChunk, link.options().max_frame - uint32_t(proto::kFrameHeaderSize))),
      max_window_(std::max(link.options().max_window, link.options().window)),
      send_credit_(link.options().window),
      client_credit_(link.options().window),
      client_window_(link.options().window) {
    asio::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    // Reads happen once the socket is readable and must never block.
    socket_.non_blocking(true, ignored);
}

asio::ip::tcp::endpoint TcpStream::local_endpoint() const {
    asio::error_code ec;
    return socket_.local_endpoint(ec);
}

asio::ip::tcp::endpoint TcpStream::remote_endpoint() const {
    asio::error_code ec;
    return socket_.remote_endpoint(ec);
}

void TcpStream::start() { do_read(); }

// Waits for data rather than keeping a read pending, so an idle socket holds
// no buffer; see receive_buffer.hpp.
void TcpStream::do_read() {
    if (reading_ || peer_eof_ || closing_ || closed_ || send_credit_ == 0 || read_waiting_ || !link_) return;
    if (read_throttled()) return;
    reading_ = true;
    socket_.async_wait(asio::ip::tcp::socket::wait_read,
                       [self = shared_from_this()](const asio::error_code& ec) { self->on_readable(ec); });
}

void TcpStream::on_readable(const asio::error_code& wait_ec) {
    reading_ = false;
    if (closed_ || closing_ || !link_) return;
    if (wait_ec) {
        fail(error_info(wait_ec, "receive from peer"));
        return;
    }
    uint8_t* frame = receive_buffer();
    const size_t chunk = size_t(
        std::min<uint64_t>({send_credit_, max_read_, std::max<uint64_t>(link_->to_client_bytes().available(), 1)}));
    asio::error_code ec;
    const size_t n = socket_.read_some(asio::buffer(frame + proto::kFrameHeaderSize, chunk), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again || ec == asio::error::interrupted) {
        do_read();  // woken without data after all
        return;
    }
    if (ec == asio::error::eof) {
        peer_eof_ = true;
        link_->send_text(proto::make_event(proto::op::eof, proto::EofEvent{id()}));
        return;
    }
    if (ec) {
        fail(error_info(ec, "receive from peer"));
        return;
    }
    proto::write_frame_header(frame, proto::FrameKind::data, id());
    link_->send_frame(frame, proto::kFrameHeaderSize + n);
    link_->to_client_bytes().take(n);
    send_credit_ -= n;
    metrics_.bytes_to_client += n;
    do_read();
}

// Data held back this way stays within the flow-control window: the peer's
// side is not read, and the client's credit comes back only as its data is
// written, so a limited session slows down instead of losing anything.
bool TcpStream::read_throttled() {
    // Waits for a worthwhile read rather than reading a few bytes at a time.
    return wait_for_budget(link_->to_client_bytes(), std::min<uint64_t>({send_credit_, max_read_, kMinThrottledChunk}),
                           metrics_.throttled_to_client, read_throttle_, read_waiting_, &TcpStream::do_read);
}

bool TcpStream::write_throttled() {
    // A closing socket flushes what the client sent without its session's
    // budget: the session no longer exists to be limited.
    if (!link_) return false;
    const size_t front_left = write_queue_.front().size() - proto::kFrameHeaderSize - front_written_;
    return wait_for_budget(link_->from_client_bytes(), std::min<uint64_t>(front_left, kMinThrottledChunk),
                           metrics_.throttled_from_client, write_throttle_, write_waiting_, &TcpStream::do_write);
}

bool TcpStream::wait_for_budget(TokenBucket& bucket, uint64_t want, uint64_t& counter, asio::steady_timer& timer,
                                bool& waiting, void (TcpStream::*step)()) {
    const auto wait = bucket.wait_for(want);
    if (wait == TokenBucket::Clock::duration::zero()) return false;
    ++counter;
    waiting = true;
    timer.expires_after(wait);
    timer.async_wait([self = shared_from_this(), &waiting, step](const asio::error_code& ec) {
        waiting = false;
        if (!ec) ((*self).*step)();
    });
    return true;
}

void TcpStream::on_client_window(uint32_t increment) {
    // Credit beyond max_window is ignored rather than trusted: it would let
    // a client that stopped reading its WebSocket make us queue without
    // bound (the protocol lets a client grow our window only that far).
    send_credit_ = std::min<uint64_t>(send_credit_ + increment, max_window_);
    do_read();
}

bool TcpStream::on_client_frame(const proto::Frame& frame, std::string& message) {
    switch (frame.kind) {
        case proto::FrameKind::data:
            on_client_data(std::move(message));
            return true;
        case proto::FrameKind::window:
            on_client_window(frame.increment);
            return true;
        case proto::FrameKind::datagram:
            return false;
    }
    return false;
}

void TcpStream::on_client_data(std::string frame) {
    const size_t n = frame.size() - proto::kFrameHeaderSize;
    if (shutdown_pending_ || send_shut_) {
        link_->channel_error(id(), {"EPIPE", "socket " + std::to_string(id()) + " was shut down for sending; " +
                                                 std::to_string(n) + " bytes not sent"});
        return;
    }
    if (n > client_credit_) {
        fail({"EPROTO", "flow control violated: sent " + std::to_string(n) + " bytes with " +
                            std::to_string(client_credit_) + " bytes of credit"});
        return;
    }
    client_credit_ -= n;
    write_queue_.push_back(std::move(frame));
    do_write();
}

void TcpStream::do_write() {
    if (writing_frames_ > 0 || write_queue_.empty() || closed_ || write_waiting_) return;
    if (write_throttled()) return;
    write_bufs_.clear();
    // Under a rate limit the batch stops at the session's budget, which may
    // end inside a frame: front_written_ keeps the place.
    uint64_t budget = link_ ? link_->from_client_bytes().available() : UINT64_MAX;
    size_t count = 0;
    while (count < std::min(write_queue_.size(), kMaxWriteBatch) && budget > 0) {
        const std::string& f = write_queue_[count];
        const size_t skip = proto::kFrameHeaderSize + (count == 0 ? front_written_ : 0);
        const size_t payload = size_t(std::min<uint64_t>(f.size() - skip, budget));
        write_bufs_.emplace_back(f.data() + skip, payload);
        budget -= payload;
        ++count;
    }
    writing_frames_ = count;
    asio::async_write(socket_, write_bufs_,
                      [self = shared_from_this()](const asio::error_code& ec, size_t n) { self->on_write(ec, n); });
}

void TcpStream::on_write(const asio::error_code& ec, size_t n) {
    writing_frames_ = 0;
    if (closed_) return;
    if (ec) {
        if (link_) {
            fail(error_info(ec, "send to peer"));
        } else {
            close_socket();  // closing: the client no longer listens
        }
        return;
    }
    for (size_t left = n; left > 0;) {
        const size_t rest = write_queue_.front().size() - proto::kFrameHeaderSize - front_written_;
        if (left < rest) {
            front_written_ += left;
            break;
        }
        left -= rest;
        front_written_ = 0;
        write_queue_.pop_front();
    }
    metrics_.bytes_from_client += n;
    if (link_) link_->from_client_bytes().take(n);
    grant_client_credit(n);
    if (!write_queue_.empty()) {
        do_write();
        return;
    }
    finish_if_drained();
}

// Small writes are granted in batches: in request/response traffic a WINDOW
// frame per request would be as many messages as the replies themselves.
// What is held back stays below an eighth of the window, so the client
// always keeps most of its credit and never waits for the rest.
void TcpStream::grant_client_credit(size_t n) {
    if (!link_) return;
    ungranted_ += n;
    if (ungranted_ == 0 || ungranted_ < std::min<uint64_t>(kGrantBatch, client_window_ / 8)) return;
    const uint64_t increment = std::exchange(ungranted_, 0) + client_window_growth();
    client_credit_ += increment;
    const std::string frame = proto::encode_window(id(), uint32_t(increment));
    link_->send_frame(reinterpret_cast<const uint8_t*>(frame.data()), frame.size());
}

// Grows the client's window (proto::window_growth) only once everything it
// sent has been written to the peer. A slow peer leaves data queued here,
// so its stream never grows, and the bytes queued per socket stay within
// the window.
uint64_t TcpStream::client_window_growth() {
    if (writing_frames_ > 0 || !write_queue_.empty()) return 0;
    const uint64_t growth = proto::window_growth(client_window_, max_window_, client_credit_);
    client_window_ += growth;
    return growth;
}

// Runs when the write queue is empty: performs a pending half-close or close.
void TcpStream::finish_if_drained() {
    if (closing_) {
        asio::error_code ignored;
        socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        close_socket();
        return;
    }
    if (shutdown_pending_ && !send_shut_) {
        asio::error_code ignored;
        socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        send_shut_ = true;
        shutdown_pending_ = false;
    }
}

void TcpStream::shutdown_send() {
    if (send_shut_) return;
    shutdown_pending_ = true;
    if (writing_frames_ == 0 && write_queue_.empty()) finish_if_drained();
}

void TcpStream::close_gracefully() {
    link_ = nullptr;
    closing_ = true;
    if (writing_frames_ == 0 && write_queue_.empty()) {
        finish_if_drained();
        return;
    }
    linger_.expires_after(kCloseLinger);
    linger_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
        if (ec) return;  // cancelled: the queue drained in time
        self->close_socket();
    });
}

void TcpStream::abort() {
    link_ = nullptr;
    close_socket();
}

void TcpStream::fail(const proto::ErrorInfo& error) {
    SessionLink* link = link_;
    link_ = nullptr;
    close_socket();
    if (link) link->channel_failed(id(), error);
}

void TcpStream::close_socket() {
    if (closed_) return;
    closed_ = true;
    asio::error_code ignored;
    linger_.cancel();
    read_throttle_.cancel();
    write_throttle_.cancel();
    socket_.close(ignored);
}

}  // namespace sockgate::gateway
