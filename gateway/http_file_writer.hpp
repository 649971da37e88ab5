// Sending static files without a copy per client: the response head and then
// the file's shared bytes go straight to the connection's stream, a bounded
// piece at a time. No websocketpp here; the server hands over the stream:
// the TCP socket itself, or the TLS stream over it under --tls-cert.
#pragma once

#include <asio.hpp>
#include <asio/ssl/stream.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace sockgate::gateway {

template <typename Stream>
class HttpFileWriter : public std::enable_shared_from_this<HttpFileWriter<Stream>> {
public:
    // Called once: with no error when all is written, asio::error::timed_out
    // when the client read nothing for the send timeout, else the write error.
    // The writer keeps it until its last handler has run, so whatever it
    // holds (the connection that owns the stream) outlives every write.
    using Done = std::function<void(const asio::error_code&)>;

    // Writes `head` and then `body` to `stream`, which must outlive the
    // writer's use of it: until its last handler has run. A zero timeout
    // waits forever.
    static void start(Stream& stream, std::string head, std::shared_ptr<const std::string> body,
                      std::chrono::milliseconds send_timeout, Done done);

    HttpFileWriter(Stream& stream, std::string head, std::shared_ptr<const std::string> body,
                   std::chrono::milliseconds send_timeout, Done done);

private:
    void do_write();
    void on_write(const asio::error_code& ec, size_t n);
    void do_wait_for_progress();
    void on_progress_deadline(const asio::error_code& ec);
    void finish(const asio::error_code& ec);

    Stream& stream_;
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

// Defined in http_file_writer.cpp for these two streams only.
extern template class HttpFileWriter<asio::ip::tcp::socket>;
extern template class HttpFileWriter<asio::ssl::stream<asio::ip::tcp::socket>>;

}  // namespace sockgate::gateway
