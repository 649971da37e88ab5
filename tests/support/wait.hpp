// Waiting on conditions, not on the clock.
//
// wait_until(pred, timeout): polls pred until it holds (true) or the
// timeout passes (false). Use it where a test waits for something to happen.
//
// stays_true_for(pred, quiet_period): polls pred for the whole quiet period;
// returns false as soon as pred turns false, so the failure is reported at
// once. Use it where a test checks that nothing more happens (no data
// arrives, the session stays open). Name the quiet period for what it is,
// e.g. "long enough for a wrongly sent frame to arrive on loopback".
#pragma once

#include <chrono>
#include <thread>

namespace sockgate::testing {

constexpr std::chrono::milliseconds kWaitPollInterval{5};

template <class Predicate, class Rep, class Period>
bool wait_until(Predicate&& pred, std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (pred()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(kWaitPollInterval);
    }
}

template <class Predicate, class Rep, class Period>
bool stays_true_for(Predicate&& pred, std::chrono::duration<Rep, Period> quiet_period) {
    const auto end = std::chrono::steady_clock::now() + quiet_period;
    for (;;) {
        if (!pred()) return false;
        if (std::chrono::steady_clock::now() >= end) return true;
        std::this_thread::sleep_for(kWaitPollInterval);
    }
}

}  // namespace sockgate::testing
