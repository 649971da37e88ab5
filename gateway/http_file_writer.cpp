#include "gateway/http_file_writer.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>  // defines __GLIBC__ on glibc systems; the test below needs it

#if defined(__GLIBC__)
#endif

namespace sockgate::gateway {

namespace {

// Each write hands the kernel at most this much of the body: a fast client
// still gets large writes, and no write call copies a whole big file.
constexpr size_t kMaxWrite = 64 * 1024;

}  // namespace

template <typename Stream>
void HttpFileWriter<Stream>::start(Stream& stream, std::string head, std::shared_ptr<const std::string> body,
                                   std::chrono::milliseconds send_timeout, Done done) {
    auto writer =
        std::make_shared<HttpFileWriter>(stream, std::move(head), std::move(body), send_timeout, std::move(done));
    writer->do_write();
    if (send_timeout.count() > 0) writer->do_wait_for_progress();
}

template <typename Stream>
HttpFileWriter<Stream>::HttpFileWriter(Stream& stream, std::string head, std::shared_ptr<const std::string> body,
                                       std::chrono::milliseconds send_timeout, Done done)
    : stream_(stream),
      head_(std::move(head)),
      body_(std::move(body)),
      send_timeout_(send_timeout),
      deadline_(stream.get_executor()),
      last_progress_(std::chrono::steady_clock::now()),
      done_(std::move(done)) {}

template <typename Stream>
void HttpFileWriter<Stream>::do_write() {
    // write_some rather than async_write: each piece the kernel takes counts
    // as progress, so a client that reads slowly but steadily is not timed out.
    const size_t body_piece = std::min(kMaxWrite, body_->size() - body_sent_);
    const std::array<asio::const_buffer, 2> pieces{asio::buffer(head_) + head_sent_,
                                                   asio::buffer(body_->data() + body_sent_, body_piece)};
    // Over TLS a write takes only the first non-empty piece; the loop below
    // goes on from wherever it stopped either way.
    stream_.async_write_some(
        pieces, [self = this->shared_from_this()](const asio::error_code& ec, size_t n) { self->on_write(ec, n); });
}

template <typename Stream>
void HttpFileWriter<Stream>::on_write(const asio::error_code& ec, size_t n) {
    if (finished_) return;  // timed out meanwhile; the connection is closed
    if (ec) return finish(ec);
    const size_t from_head = std::min(n, head_.size() - head_sent_);
    head_sent_ += from_head;
    body_sent_ += n - from_head;
    last_progress_ = std::chrono::steady_clock::now();
    if (head_sent_ == head_.size() && body_sent_ == body_->size()) return finish({});
    do_write();
}

// One timer for the whole response, moved on only when it fires, rather than
// re-armed on every write.
template <typename Stream>
void HttpFileWriter<Stream>::do_wait_for_progress() {
    deadline_.expires_at(last_progress_ + send_timeout_);
    deadline_.async_wait(
        [self = this->shared_from_this()](const asio::error_code& ec) { self->on_progress_deadline(ec); });
}

template <typename Stream>
void HttpFileWriter<Stream>::on_progress_deadline(const asio::error_code& ec) {
    if (ec || finished_) return;
    if (std::chrono::steady_clock::now() - last_progress_ < send_timeout_) return do_wait_for_progress();
    // The write still pending fails once the connection is closed; on_write
    // then sees finished_.
    finish(asio::error::timed_out);
}

template <typename Stream>
void HttpFileWriter<Stream>::finish(const asio::error_code& ec) {
    finished_ = true;
    deadline_.cancel();
    body_.reset();
    // Not moved out and dropped: over TLS, a write cut short by the timeout
    // still uses the stream until its handler runs, and what `done_` holds
    // keeps the stream alive until then.
    done_(ec);
}

template class HttpFileWriter<asio::ip::tcp::socket>;
template class HttpFileWriter<asio::ssl::stream<asio::ip::tcp::socket>>;

}  // namespace sockgate::gateway
