#include "gateway/memory_release.hpp"

#include <malloc.h>

#include <algorithm>

namespace sockgate::gateway {
namespace {

// Releasing costs a walk over the heap, and the relay then faults its
// buffers back in: at most once per this interval.
constexpr auto kMinReleaseInterval = std::chrono::seconds(2);
constexpr auto kSettleTime = std::chrono::seconds(1);
// How often an idle gateway looks, and how much free memory is worth giving
// back. An idle gateway has nothing better to do, so the bar is low: the
// soak holds its memory after a run to 10% of its baseline (docs/SOAK.md).
constexpr auto kIdleCheckInterval = std::chrono::seconds(2);
constexpr size_t kIdleReleaseThreshold = 256 << 10;

}  // namespace

void ReleaseAfterBurst::started() {
    ++gauge_;
    peak_since_release_ = std::max(peak_since_release_, gauge_);
}

void ReleaseAfterBurst::finished() {
    --gauge_;
    if (gauge_ == 0 && peak_since_release_ >= burst_ && !trim_pending_) do_release_memory();
}

void ReleaseAfterBurst::do_release_memory() {
    trim_pending_ = true;
    // What ended the burst frees its memory a little later (connections
    // finishing their close handshakes, sockets lingering to flush): release
    // once that is done too.
    trim_timer_.expires_at(
        std::max(last_release_ + kMinReleaseInterval, std::chrono::steady_clock::now() + kSettleTime));
    trim_timer_.async_wait([this](const asio::error_code& ec) { on_release_memory(ec); });
}

void ReleaseAfterBurst::on_release_memory(const asio::error_code& ec) {
    if (ec) return;
    trim_pending_ = false;
    // Another burst under way: its own end releases.
    if (gauge_ != 0) return;
    peak_since_release_ = 0;
    last_release_ = std::chrono::steady_clock::now();
#if defined(__GLIBC__)
    // Returns every free page, from the middle of the heap too, whatever the
    // trim threshold says.
    malloc_trim(0);
#endif
}

void IdleRelease::start() {
    timer_.expires_after(kIdleCheckInterval);
    timer_.async_wait([this](const asio::error_code& ec) { on_check(ec); });
}

void IdleRelease::stop() { timer_.cancel(); }

void IdleRelease::on_check(const asio::error_code& ec) {
    if (ec) return;
#if defined(__GLIBC__)
    if (!busy_()) {
        // Pages a trim gave back still count as free chunks, so the figures
        // stay above the threshold after it: trim again only once the heap
        // has changed since.
        const struct mallinfo2 now = mallinfo2();
        const bool changed = now.fordblks != after_last_trim_.fordblks || now.uordblks != after_last_trim_.uordblks;
        if (changed && now.fordblks > kIdleReleaseThreshold) {
            malloc_trim(0);
            after_last_trim_ = mallinfo2();
        }
    }
#endif
    start();
}

}  // namespace sockgate::gateway
