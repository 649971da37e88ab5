// Gives memory back to the system once a burst of load is over. main() tells
// malloc to keep freed memory for the relay's message buffers
// (support/tuning), so without this a burst of downloads or sessions would
// leave the gateway at its peak size for good.
#pragma once

#include <asio.hpp>

#include <malloc.h>

#include <chrono>
#include <cstdint>
#include <functional>

namespace sockgate::gateway {

class ReleaseAfterBurst {
public:
    // `gauge` is the /metrics figure this keeps current; a burst is `burst`
    // or more at once, and it is over when the gauge is back at zero.
    ReleaseAfterBurst(asio::io_context& io, uint64_t& gauge, uint64_t burst)
        : gauge_(gauge), burst_(burst), trim_timer_(io) {}
    void started();
    void finished();

private:
    void do_release_memory();
    void on_release_memory(const asio::error_code& ec);

    uint64_t& gauge_;
    const uint64_t burst_;
    uint64_t peak_since_release_ = 0;
    asio::steady_timer trim_timer_;
    bool trim_pending_ = false;
    std::chrono::steady_clock::time_point last_release_{};
};

// Checks now and then, while nothing is being served, whether malloc holds
// much freed memory, and gives it back. ReleaseAfterBurst trims when a burst
// ends, but what the burst's stragglers (closing connections, unread
// downloads timing out) free afterwards would otherwise stay.
class IdleRelease {
public:
    // `busy` says whether anything is being served (sessions, downloads).
    IdleRelease(asio::io_context& io, std::function<bool()> busy) : busy_(std::move(busy)), timer_(io) {}
    void start();
    void stop();

private:
    void on_check(const asio::error_code& ec);

    std::function<bool()> busy_;
    asio::steady_timer timer_;
#if defined(__GLIBC__)
    struct mallinfo2 after_last_trim_ {};
#endif
};

}  // namespace sockgate::gateway
