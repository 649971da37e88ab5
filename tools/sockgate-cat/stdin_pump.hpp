// Reads standard input on a thread of its own and hands it to an io_context
// one chunk at a time, so the event loop never blocks on stdin (which may be
// a terminal, a pipe or a regular file: the last cannot be polled by epoll).
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace asio {
class io_context;
}

namespace sockgate::client::cat {

class StdinPump {
public:
    // on_chunk and on_eof run on the io_context. After a chunk the pump waits
    // for ready() before reading more: the consumer's backpressure.
    StdinPump(asio::io_context& io, std::function<void(std::string)> on_chunk, std::function<void()> on_eof);
    // Stops delivering. The reader thread may stay blocked in read() until
    // the process exits; it touches nothing but its own shared state.
    ~StdinPump();
    StdinPump(const StdinPump&) = delete;
    StdinPump& operator=(const StdinPump&) = delete;

    void ready();

private:
    struct Shared;
    std::shared_ptr<Shared> shared_;
};

}  // namespace sockgate::client::cat
