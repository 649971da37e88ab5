#include "gateway/demo_peers.hpp"

#include <array>

namespace sockgate::gateway {
namespace {

// Echoes one TCP connection: read some, write it back, repeat. Half-closes
// after the peer does, so `shutdown` through the gateway is visible.
class EchoConnection : public std::enable_shared_from_this<EchoConnection> {
public:
    explicit EchoConnection(asio::ip::tcp::socket s) : socket_(std::move(s)) {}
    void start() { do_read(); }

private:
    void do_read() {
        socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](const asio::error_code& ec, size_t n) {
            self->on_read(ec, n);
        });
    }
    void on_read(const asio::error_code& ec, size_t n) {
        if (ec == asio::error::eof) {
            asio::error_code ignored;
            socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
            return;
        }
        if (ec) return;
        asio::async_write(socket_, asio::buffer(buf_.data(), n),
                          [self = shared_from_this()](const asio::error_code& wec, size_t) {
                              if (!wec) self->do_read();
                          });
    }

    asio::ip::tcp::socket socket_;
    std::array<char, 16384> buf_{};
};

}  // namespace

struct DemoPeers::Impl : std::enable_shared_from_this<DemoPeers::Impl> {
    explicit Impl(asio::io_context& io) : acceptor(io), udp(io) {}

    asio::ip::tcp::acceptor acceptor;
    asio::ip::udp::socket udp;
    asio::ip::udp::endpoint from;
    std::array<char, 65536> datagram{};

    void do_accept() {
        acceptor.async_accept([self = shared_from_this()](const asio::error_code& ec, asio::ip::tcp::socket s) {
            if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
            if (!ec) std::make_shared<EchoConnection>(std::move(s))->start();
            self->do_accept();
        });
    }

    void do_receive() {
        udp.async_receive_from(asio::buffer(datagram), from,
                               [self = shared_from_this()](const asio::error_code& ec, size_t n) {
                                   if (ec == asio::error::operation_aborted || !self->udp.is_open()) return;
                                   if (ec) {
                                       self->do_receive();
                                       return;
                                   }
                                   // Synchronous send: a UDP send does not block on a
                                   // loopback socket, and the buffer is reused next.
                                   asio::error_code ignored;
                                   self->udp.send_to(asio::buffer(self->datagram.data(), n), self->from, 0, ignored);
                                   self->do_receive();
                               });
    }
};

namespace {

// Port 0 asks for any free port, and both peers need the same one: the TCP
// port the kernel picks may already be taken for UDP by someone else, so a
// few ports are tried before giving up.
constexpr int kEphemeralAttempts = 16;

}  // namespace

DemoPeers::DemoPeers(asio::io_context& io, const std::string& host, uint16_t port) : impl_(std::make_shared<Impl>(io)) {
    const auto addr = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host);
    for (int attempt = 1;; ++attempt) {
        asio::ip::tcp::endpoint tcp_ep(addr, port);
        impl_->acceptor.open(tcp_ep.protocol());
        impl_->acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true));
        impl_->acceptor.bind(tcp_ep);
        impl_->acceptor.listen();
        const uint16_t bound = impl_->acceptor.local_endpoint().port();
        asio::ip::udp::endpoint udp_ep(addr, bound);
        impl_->udp.open(udp_ep.protocol());
        asio::error_code ec;
        impl_->udp.bind(udp_ep, ec);
        if (!ec) break;
        impl_->udp.close();
        impl_->acceptor.close();
        if (port != 0 || ec != asio::error::address_in_use || attempt == kEphemeralAttempts)
            throw std::system_error(ec, "demo udp peer on port " + std::to_string(bound));
    }
    impl_->do_accept();
    impl_->do_receive();
}

DemoPeers::~DemoPeers() { stop(); }

uint16_t DemoPeers::port() const {
    asio::error_code ec;
    return impl_->acceptor.local_endpoint(ec).port();
}

void DemoPeers::stop() {
    asio::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->udp.close(ignored);
}

}  // namespace sockgate::gateway
