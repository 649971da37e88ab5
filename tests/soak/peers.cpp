#include "soak/peers.hpp"

#include <array>
#include <functional>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

namespace sockgate::soak {
namespace {

using asio::ip::tcp;
using asio::ip::udp;

const auto kLoopback = asio::ip::make_address_v4("127.0.0.1");

// A connection that echoes until the other side is done, counted while alive.
class EchoConnection : public std::enable_shared_from_this<EchoConnection> {
public:
    EchoConnection(tcp::socket socket, std::shared_ptr<std::atomic<int64_t>> open)
        : socket_(std::move(socket)), open_(std::move(open)) {
        ++*open_;
    }
    ~EchoConnection() { --*open_; }
    void start() { read(); }

private:
    void read() {
        socket_.async_read_some(asio::buffer(buffer_), [self = shared_from_this()](asio::error_code ec, size_t n) {
            if (ec == asio::error::eof) {
                // Everything read has been echoed: answer the FIN with ours.
                asio::error_code ignored;
                self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
                return;
            }
            if (ec) return;
            asio::async_write(self->socket_, asio::buffer(self->buffer_, n), [self](asio::error_code write_ec, size_t) {
                if (!write_ec) self->read();
            });
        });
    }

    tcp::socket socket_;
    std::shared_ptr<std::atomic<int64_t>> open_;
    std::array<char, 64 * 1024> buffer_;
};

// Echoes one length-prefixed message, then resets the connection when the
// client asks for it with one more byte.
class ResetConnection : public std::enable_shared_from_this<ResetConnection> {
public:
    ResetConnection(tcp::socket socket, std::shared_ptr<std::atomic<int64_t>> open)
        : socket_(std::move(socket)), open_(std::move(open)) {
        ++*open_;
    }
    ~ResetConnection() { --*open_; }

    void start() {
        asio::async_read(socket_, asio::buffer(length_), [self = shared_from_this()](asio::error_code ec, size_t) {
            if (ec) return;
            const uint32_t n = uint32_t(uint8_t(self->length_[0])) << 24 | uint32_t(uint8_t(self->length_[1])) << 16 |
                               uint32_t(uint8_t(self->length_[2])) << 8 | uint32_t(uint8_t(self->length_[3]));
            self->body_.resize(n);
            self->read_body();
        });
    }

private:
    void read_body() {
        asio::async_read(socket_, asio::buffer(body_), [self = shared_from_this()](asio::error_code ec, size_t) {
            if (ec) return;
            asio::async_write(self->socket_, asio::buffer(self->body_), [self](asio::error_code write_ec, size_t) {
                if (!write_ec) self->await_trigger();
            });
        });
    }
    void await_trigger() {
        asio::async_read(socket_, asio::buffer(trigger_), [self = shared_from_this()](asio::error_code ec, size_t) {
            if (ec) return;
            asio::error_code ignored;
            self->socket_.set_option(asio::socket_base::linger(true, 0), ignored);
            self->socket_.close(ignored);
        });
    }

    tcp::socket socket_;
    std::shared_ptr<std::atomic<int64_t>> open_;
    std::array<char, 4> length_{};
    std::string body_;
    std::array<char, 1> trigger_{};
};

template <class Connection>
class Acceptor {
public:
    Acceptor(asio::io_context& io, Tally& tally, std::shared_ptr<std::atomic<int64_t>> open)
        : acceptor_(io, tcp::endpoint(kLoopback, 0)), retry_(io), tally_(tally), open_(std::move(open)) {
        acceptor_.listen(asio::socket_base::max_listen_connections);
        accept();
    }
    uint16_t port() const { return acceptor_.local_endpoint().port(); }
    void close() {
        asio::error_code ignored;
        acceptor_.close(ignored);
        retry_.cancel();
    }

private:
    void accept() {
        acceptor_.async_accept([this](asio::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
            if (ec) {
                // Out of descriptors: the soak's own limit is too low for the run.
                tally_.fail("peers accept on port " + std::to_string(port()), ec.message());
                retry_.expires_after(std::chrono::milliseconds(100));
                retry_.async_wait([this](asio::error_code wait_ec) {
                    if (!wait_ec) accept();
                });
                return;
            }
            std::make_shared<Connection>(std::move(socket), open_)->start();
            accept();
        });
    }

    tcp::acceptor acceptor_;
    asio::steady_timer retry_;
    Tally& tally_;
    std::shared_ptr<std::atomic<int64_t>> open_;
};

class UdpEcho {
public:
    explicit UdpEcho(asio::io_context& io) : socket_(io, udp::endpoint(kLoopback, 0)) {
        asio::error_code ignored;
        // Room for bursts from many sessions at once; drops are allowed but
        // make the run say less.
        socket_.set_option(asio::socket_base::receive_buffer_size(4 << 20), ignored);
        receive();
    }
    uint16_t port() const { return socket_.local_endpoint().port(); }
    void close() {
        asio::error_code ignored;
        socket_.close(ignored);
    }

private:
    void receive() {
        socket_.async_receive_from(asio::buffer(buffer_), from_, [this](asio::error_code ec, size_t n) {
            if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
            if (!ec) {
                asio::error_code ignored;
                socket_.send_to(asio::buffer(buffer_, n), from_, 0, ignored);
            }
            receive();
        });
    }

    udp::socket socket_;
    udp::endpoint from_;
    std::array<char, 65536> buffer_;
};

}  // namespace

struct Peers::Servers {
    std::vector<std::unique_ptr<Acceptor<EchoConnection>>> echo;
    std::unique_ptr<Acceptor<ResetConnection>> reset;
    std::unique_ptr<UdpEcho> udp;
};

Peers::Peers(Tally& tally, size_t echo_ports)
    : open_(std::make_shared<std::atomic<int64_t>>(0)), tally_(tally), servers_(std::make_unique<Servers>()) {
    for (size_t i = 0; i < echo_ports; ++i) {
        servers_->echo.push_back(std::make_unique<Acceptor<EchoConnection>>(io_, tally_, open_));
        echo_ports_.push_back(servers_->echo.back()->port());
    }
    servers_->reset = std::make_unique<Acceptor<ResetConnection>>(io_, tally_, open_);
    reset_port_ = servers_->reset->port();
    servers_->udp = std::make_unique<UdpEcho>(io_);
    udp_port_ = servers_->udp->port();
    thread_ = std::thread([this] {
        auto guard = asio::make_work_guard(io_);
        io_.run();
    });
}

Peers::~Peers() { stop(); }

void Peers::connect_in(uint16_t port) {
    asio::post(io_, [this, port] {
        auto socket = std::make_shared<tcp::socket>(io_);
        socket->async_connect(tcp::endpoint(kLoopback, port), [this, socket, port](asio::error_code ec) {
            if (ec) {
                tally_.fail("peers connect to session listener port " + std::to_string(port), ec.message());
                return;
            }
            std::make_shared<EchoConnection>(std::move(*socket), open_)->start();
        });
    });
}

void Peers::stop() {
    if (!thread_.joinable()) return;
    // Connections still open end when the io_context destroys their
    // handlers; the listeners go now.
    io_.stop();
    thread_.join();
    for (auto& e : servers_->echo) e->close();
    servers_->reset->close();
    servers_->udp->close();
}

}  // namespace sockgate::soak
