#include "gateway/tcp_listener.hpp"

namespace sockgate::gateway {

asio::ip::tcp::acceptor TcpListener::open(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint, int backlog) {
    asio::ip::tcp::acceptor acceptor(io);
    asio::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    // Lets a port whose earlier connections sit in TIME_WAIT be listened on
    // again at once; it does not allow two listeners on one port.
    if (!ec) acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec && endpoint.address().is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(backlog, ec);
    if (ec)
        throw proto::ProtocolError(error_info(ec).code, "listen on " + endpoint.address().to_string() + " port " +
                                                            std::to_string(endpoint.port()) + ": " + ec.message());
    return acceptor;
}

TcpListener::TcpListener(SessionLink& link, uint32_t id, asio::ip::tcp::acceptor acceptor)
    : Channel(id), link_(&link), acceptor_(std::move(acceptor)), retry_(acceptor_.get_executor()) {}

void TcpListener::start() { do_accept(); }

asio::ip::tcp::endpoint TcpListener::local_endpoint() const {
    asio::error_code ec;
    return acceptor_.local_endpoint(ec);
}

void TcpListener::do_accept() {
    acceptor_.async_accept([self = shared_from_this()](const asio::error_code& ec, asio::ip::tcp::socket s) {
        self->on_accept(ec, std::move(s));
    });
}

void TcpListener::on_accept(const asio::error_code& ec, asio::ip::tcp::socket socket) {
    if (!link_) return;
    if (ec == asio::error::operation_aborted) return;
    if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space || ec == asio::error::no_memory) {
        // The process is out of descriptors: tell the client, and try again
        // shortly instead of spinning on an accept that fails at once.
        link_->channel_error(id(), error_info(ec, "accept"));
        retry_.expires_after(std::chrono::milliseconds(200));
        retry_.async_wait([self = shared_from_this()](const asio::error_code& wait_ec) {
            if (!wait_ec && self->link_) self->do_accept();
        });
        return;
    }
    if (ec) {
        // Aborted handshakes (ECONNABORTED) are the peer's business, not ours.
        if (ec != asio::error::connection_aborted) link_->channel_error(id(), error_info(ec, "accept"));
        do_accept();
        return;
    }
    link_->channel_accepted(id(), std::move(socket));
    if (link_) do_accept();
}

void TcpListener::abort() {
    link_ = nullptr;
    asio::error_code ignored;
    retry_.cancel();
    acceptor_.close(ignored);
}

}  // namespace sockgate::gateway
