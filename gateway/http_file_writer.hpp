// Sending static files without a copy per client: the response head and then
// the file's shared bytes go straight to the connection's socket, a bounded
// piece at a time. No websocketpp here; server.cpp hands over the socket.
#pragma once

#include <asio.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace sockgate::gateway {

class HttpFileWriter : public std::enable_shared_from_this<HttpFileWriter> {
public:
    // Called once: with no error when all is written, asio::error::timed_out
    // when the client read nothing for the send timeout, else the write error.
    using Done = std::function<void(const asio::error_code&)>;

    // Writes `head` and then `body` to `socket`, which must outlive the
    // writer's use of it: until `done` is called. A zero timeout waits forever.
    static void start(asio::ip::tcp::socket& socket, std::string head, std::shared_ptr<const std::string> body,
                      std::chrono::milliseconds send_timeout, Done done);

    HttpFileWriter(asio::ip::tcp::socket& socket, std::string head, std::shared_ptr<const std::string> body,
                   std::chrono::milliseconds send_timeout, Done done);

private:
    void do_write();
    void on_write(const asio::error_code& ec, size_t n);
    void do_wait_for_progress();
    void on_progress_deadline(const asio::error_code& ec);
    void finish(const asio::error_code& ec);

    asio::ip::tcp::socket& socket_;
    std::string head_;
    std::shared_ptr<const std::string> body_;
    size_t head_sent_ = 0;
    size_t body_sent_ = 0;
    std::chrono::milliseconds send_timeout_;
    asio::steady_timer deadline_;
    std::chrono::steady_clock::time_point last_progress_;
    bool finished_ = false;
    Done done_;
};

}  // namespace sockgate::gateway
