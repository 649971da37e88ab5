// The baseline: plain loopback sockets from the bench straight to the echo
// peers, no gateway. Same workloads, same peers, same event loop style.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>

#include "bench/event_loop.hpp"
#include "bench/path.hpp"

namespace sockgate::bench {

class DirectStream final : public Stream {
public:
    DirectStream(EventLoop& loop, asio::ip::tcp::socket socket, size_t read_buffer);
    void start();

    bool ready() const override { return !writing_; }
    void write(std::string_view bytes) override;

private:
    void do_read();
    void on_read(const std::error_code& ec, size_t n);
    void do_write();
    void on_write(const std::error_code& ec);

    EventLoop& loop_;
    asio::ip::tcp::socket socket_;
    std::vector<char> read_buf_;
    std::string in_flight_;  // being written
    std::string pending_;    // written while busy; goes next
    bool writing_ = false;
};

class DirectDatagramPort final : public DatagramPort {
public:
    DirectDatagramPort(EventLoop& loop, const asio::ip::udp::endpoint& peer);
    void send(std::string_view payload) override;

private:
    void do_receive();
    void on_receive(const std::error_code& ec, size_t n);

    EventLoop& loop_;
    asio::ip::udp::socket socket_;
    asio::ip::udp::endpoint peer_;
    asio::ip::udp::endpoint sender_;
    std::vector<char> buffer_;
};

class DirectPath final : public Path {
public:
    // `read_buffer`: bytes each stream reads at once. Large for throughput,
    // small when there are ten thousand streams.
    DirectPath(EventLoop& loop, uint16_t tcp_port, uint16_t udp_port, size_t read_buffer, size_t connect_window);

    const char* name() const override { return "direct"; }
    void open_streams(size_t sessions, size_t per_session, std::function<void(std::vector<Stream*>)> done) override;
    void open_datagram_port(std::function<void(DatagramPort*)> done) override;

private:
    void do_connect_more();
    void on_connected(const std::error_code& ec, std::unique_ptr<asio::ip::tcp::socket> socket);

    EventLoop& loop_;
    asio::ip::tcp::endpoint tcp_peer_;
    asio::ip::udp::endpoint udp_peer_;
    size_t read_buffer_;
    size_t connect_window_;

    size_t wanted_ = 0;
    size_t started_ = 0;
    size_t in_flight_ = 0;
    std::function<void(std::vector<Stream*>)> streams_done_;
    std::vector<std::unique_ptr<DirectStream>> streams_;
    std::unique_ptr<DirectDatagramPort> datagram_port_;
};

}  // namespace sockgate::bench
