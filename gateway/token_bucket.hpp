// A token bucket: `rate` tokens a second, at most `burst` saved up. Takers
// size what they take by available() where they can, and may overdraw it
// where they cannot split (one whole message): the debt is waited out by the
// next taker, so the average rate holds.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace sockgate::gateway {

class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;

    // rate 0: unlimited. burst 0: one second's worth.
    explicit TokenBucket(uint64_t rate = 0, uint64_t burst = 0)
        : rate_(rate), burst_(burst ? burst : rate), tokens_(double(burst_)), last_(Clock::now()) {}

    bool unlimited() const { return rate_ == 0; }

    // True when a taker may go ahead now (the bucket is not in debt).
    bool ready(Clock::time_point now = Clock::now()) {
        refill(now);
        return unlimited() || tokens_ > 0;
    }
    // Whole tokens saved up now; UINT64_MAX when unlimited.
    uint64_t available(Clock::time_point now = Clock::now()) {
        if (unlimited()) return UINT64_MAX;
        refill(now);
        return tokens_ > 0 ? uint64_t(tokens_) : 0;
    }
    void take(uint64_t n, Clock::time_point now = Clock::now()) {
        if (unlimited()) return;
        refill(now);
        tokens_ -= double(n);
    }
    // How long until ready() is true.
    Clock::duration wait(Clock::time_point now = Clock::now()) { return wait_for(1, now); }
    // How long until `n` tokens (at most the burst) are saved up.
    Clock::duration wait_for(uint64_t n, Clock::time_point now = Clock::now()) {
        if (unlimited()) return Clock::duration::zero();
        refill(now);
        const double want = double(std::max<uint64_t>(std::min(n, burst_), 1));
        if (tokens_ >= want) return Clock::duration::zero();
        const double seconds = (want - tokens_) / double(rate_);
        return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    }

private:
    void refill(Clock::time_point now) {
        if (unlimited() || now <= last_) return;
        tokens_ =
            std::min(double(burst_), tokens_ + std::chrono::duration<double>(now - last_).count() * double(rate_));
        last_ = now;
    }

    uint64_t rate_;
    uint64_t burst_;
    double tokens_;
    Clock::time_point last_;
};

}  // namespace sockgate::gateway
