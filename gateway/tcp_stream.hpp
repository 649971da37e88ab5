// One connected TCP socket relayed to the browser, with per-direction credit.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "gateway/channel.hpp"

namespace sockgate::gateway {

class TcpStream : public Channel, public std::enable_shared_from_this<TcpStream> {
public:
    TcpStream(SessionLink& link, uint32_t id, asio::ip::tcp::socket socket);

    proto::SocketKind kind() const override { return proto::SocketKind::tcp_stream; }
    void start();

    // DATA and WINDOW frames.
    bool on_client_frame(const proto::Frame& frame, std::string& message) override;
    // Half-close: FIN once everything queued is written.
    void shutdown_send();
    void close_gracefully() override;
    void abort() override;

    asio::ip::tcp::endpoint local_endpoint() const;
    asio::ip::tcp::endpoint remote_endpoint() const;

private:
    // A whole DATA frame from the client; the payload starts at byte 5.
    // Taken by value so the message buffer can be queued without a copy.
    void on_client_data(std::string frame);
    void on_client_window(uint32_t increment);

    void do_read();
    // True when the session's byte budget for one direction is spent: a
    // timer then runs that direction's step again once it is not.
    bool read_throttled();
    bool write_throttled();
    // Either direction's wait: `waiting` is set until `timer` runs `step`.
    bool wait_for_budget(TokenBucket& bucket, uint64_t want, uint64_t& counter, asio::steady_timer& timer,
                         bool& waiting, void (TcpStream::*step)());
    void on_readable(const asio::error_code& ec);
    void do_write();
    void on_write(const asio::error_code& ec, size_t n);
    void grant_client_credit(size_t n);
    uint64_t client_window_growth();
    void finish_if_drained();
    void fail(const proto::ErrorInfo& error);
    void close_socket();

    SessionLink* link_;  // null once the session let go of this socket
    Metrics& metrics_;
    asio::ip::tcp::socket socket_;
    asio::steady_timer linger_;
    asio::steady_timer read_throttle_;
    asio::steady_timer write_throttle_;
    bool read_waiting_ = false;
    bool write_waiting_ = false;
    const uint32_t max_read_;
    const uint64_t max_window_;

    uint64_t send_credit_;    // bytes we may still send to the client
    uint64_t client_credit_;  // bytes the client may still send to us
    uint64_t client_window_;  // the client's window toward us: grows, never shrinks
    uint64_t ungranted_ = 0;  // written to the peer, not yet granted back
    bool reading_ = false;
    bool peer_eof_ = false;

    std::deque<std::string> write_queue_;  // whole DATA frames; payload at byte 5
    std::vector<asio::const_buffer> write_bufs_;
    size_t writing_frames_ = 0;  // frames in the write in flight
    size_t front_written_ = 0;   // payload bytes of the first frame already written
    bool shutdown_pending_ = false;
    bool send_shut_ = false;
    bool closing_ = false;  // close requested: drain, then close
    bool closed_ = false;
};

}  // namespace sockgate::gateway
