#include "tools/sockgate-cat/stdin_pump.hpp"

#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <asio/io_context.hpp>
#include <asio/post.hpp>

namespace sockgate::client::cat {

struct StdinPump::Shared {
    asio::io_context& io;
    std::function<void(std::string)> on_chunk;
    std::function<void()> on_eof;

    std::mutex mutex;
    std::condition_variable wake;
    bool want_more = true;
    bool stopped = false;

    // Runs `deliver` on the io_context unless the pump was stopped by then.
    // Posting happens under the mutex, so never into a destroyed io_context.
    void post(std::function<void(Shared&)> deliver, const std::shared_ptr<Shared>& self) {
        std::lock_guard<std::mutex> lock(mutex);
        if (stopped) return;
        asio::post(io, [self, deliver = std::move(deliver)] {
            {
                std::lock_guard<std::mutex> l(self->mutex);
                if (self->stopped) return;
            }
            deliver(*self);
        });
    }

    // The reader thread's body.
    static void read_loop(const std::shared_ptr<Shared>& self) {
        std::string buf(64 * 1024, '\0');
        for (;;) {
            {
                std::unique_lock<std::mutex> lock(self->mutex);
                self->wake.wait(lock, [&] { return self->want_more || self->stopped; });
                if (self->stopped) return;
                self->want_more = false;
            }
            ssize_t n;
            do {
                n = ::read(STDIN_FILENO, buf.data(), buf.size());
            } while (n < 0 && errno == EINTR);
            if (n <= 0) {
                // A read error ends input just like end of file.
                self->post([](Shared& s) { s.on_eof(); }, self);
                return;
            }
            self->post([chunk = buf.substr(0, size_t(n))](Shared& s) { s.on_chunk(chunk); }, self);
        }
    }
};

StdinPump::StdinPump(asio::io_context& io, std::function<void(std::string)> on_chunk, std::function<void()> on_eof)
    : shared_(new Shared{io, std::move(on_chunk), std::move(on_eof), {}, {}, true, false}) {
    std::thread([self = shared_] { Shared::read_loop(self); }).detach();
}

StdinPump::~StdinPump() {
    {
        std::lock_guard<std::mutex> lock(shared_->mutex);
        shared_->stopped = true;
    }
    shared_->wake.notify_all();
}

void StdinPump::ready() {
    {
        std::lock_guard<std::mutex> lock(shared_->mutex);
        shared_->want_more = true;
    }
    shared_->wake.notify_all();
}

}  // namespace sockgate::client::cat
