#include "bench/echo_peers.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asio/posix/stream_descriptor.hpp>
#include <asio/write.hpp>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sockgate::bench {
namespace {

using asio::ip::tcp;
using asio::ip::udp;

constexpr size_t kScratchSize = 64 << 10;

class EchoConnection : public std::enable_shared_from_this<EchoConnection> {
public:
    EchoConnection(tcp::socket socket, std::vector<char>& scratch) : socket_(std::move(socket)), scratch_(scratch) {
        std::error_code ignored;
        socket_.non_blocking(true, ignored);
        socket_.set_option(tcp::no_delay(true), ignored);
    }

    void start() { do_wait(); }

private:
    void do_wait() {
        socket_.async_wait(tcp::socket::wait_read,
                           [self = shared_from_this()](const std::error_code& ec) { self->on_readable(ec); });
    }

    void on_readable(const std::error_code& ec) {
        if (ec) return;
        std::error_code read_ec;
        const size_t n = socket_.read_some(asio::buffer(scratch_), read_ec);
        if (read_ec == asio::error::would_block) return do_wait();
        if (read_ec) return close();  // eof or reset: the client is gone

        std::error_code write_ec;
        size_t written = socket_.write_some(asio::buffer(scratch_.data(), n), write_ec);
        if (write_ec == asio::error::would_block)
            written = 0;
        else if (write_ec)
            return close();
        if (written == n) return do_wait();

        // The client is not reading fast enough: keep the rest and stop
        // reading until it is out, which pushes back on the sender.
        backlog_.assign(scratch_.data() + written, n - written);
        asio::async_write(
            socket_, asio::buffer(backlog_),
            [self = shared_from_this()](const std::error_code& e, size_t) { self->on_backlog_written(e); });
    }

    void on_backlog_written(const std::error_code& ec) {
        if (ec) return close();
        backlog_.clear();
        backlog_.shrink_to_fit();
        do_wait();
    }

    void close() {
        std::error_code ignored;
        socket_.close(ignored);
    }

    tcp::socket socket_;
    std::vector<char>& scratch_;
    std::string backlog_;
};

}  // namespace

// ---------------------------------------------------------------- TcpEchoServer

TcpEchoServer::TcpEchoServer(asio::io_context& io)
    : acceptor_(io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0)), scratch_(kScratchSize) {
    port_ = acceptor_.local_endpoint().port();
    do_accept();
}

void TcpEchoServer::do_accept() {
    acceptor_.async_accept([this](const std::error_code& ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void TcpEchoServer::on_accept(const std::error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
        std::make_shared<EchoConnection>(std::move(socket), scratch_)->start();
    }
    // Other errors (EMFILE) concern one connection: its client will notice.
    do_accept();
}

// ---------------------------------------------------------------- UdpEchoServer

UdpEchoServer::UdpEchoServer(asio::io_context& io)
    : socket_(io, udp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0)), buffer_(65536) {
    port_ = socket_.local_endpoint().port();
    std::error_code ignored;
    socket_.non_blocking(true, ignored);
    do_receive();
}

void UdpEchoServer::do_receive() {
    socket_.async_receive_from(asio::buffer(buffer_), sender_,
                               [this](const std::error_code& ec, size_t n) { on_receive(ec, n); });
}

void UdpEchoServer::on_receive(const std::error_code& ec, size_t n) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
        // An echo the kernel will not take at once is dropped, as a busy
        // UDP server would drop it; the sender counts it lost.
        std::error_code ignored;
        socket_.send_to(asio::buffer(buffer_.data(), n), sender_, 0, ignored);
    }
    do_receive();
}

// ---------------------------------------------------------------- EchoPeers

namespace {

// The child: serves until the parent closes the control pipe (or dies).
[[noreturn]] void run_peer_process(int report_fd, int control_fd) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int status = 0;
    try {
        asio::io_context io(1);
        TcpEchoServer tcp(io);
        UdpEchoServer udp(io);
        const std::string ports = std::to_string(tcp.port()) + " " + std::to_string(udp.port()) + "\n";
        if (write(report_fd, ports.data(), ports.size()) != ssize_t(ports.size())) _exit(1);
        close(report_fd);

        asio::posix::stream_descriptor control(io, control_fd);
        char byte;
        control.async_read_some(asio::buffer(&byte, 1), [&io](const std::error_code&, size_t) { io.stop(); });
        io.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sockgate-bench: echo peers: %s\n", e.what());
        status = 1;
    }
    _exit(status);
}

}  // namespace

EchoPeers::EchoPeers() {
    int report[2], control[2];
    if (pipe2(report, O_CLOEXEC) != 0 || pipe2(control, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        close(report[0]);
        close(control[1]);
        run_peer_process(report[1], control[0]);
    }
    close(report[1]);
    close(control[0]);
    control_fd_ = control[1];

    std::string line;
    char c;
    while (line.find('\n') == std::string::npos && read(report[0], &c, 1) == 1) line += c;
    close(report[0]);
    if (std::sscanf(line.c_str(), "%hu %hu", &tcp_port_, &udp_port_) != 2) {
        close(control_fd_);
        waitpid(pid_, nullptr, 0);
        throw std::runtime_error("the echo peers did not start");
    }
}

EchoPeers::~EchoPeers() {
    close(control_fd_);
    waitpid(pid_, nullptr, 0);
}

}  // namespace sockgate::bench
