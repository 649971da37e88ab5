// How sockgate's receivers grow a connection's window (PROTOCOL.md §5.3);
// shared by the gateway and the client core so both sides follow one rule.
#pragma once

#include <algorithm>
#include <cstdint>

namespace sockgate::proto {

// By how much a receiver grows a window of `window` bytes (never beyond
// `max_window`) when granting credit, given the credit the sender still has
// left. Doubles it when the sender has spent all but at most an eighth, that
// is when the window rather than the sender is what holds the stream back;
// otherwise 0. The caller checks its own side first: nothing it received may
// still be waiting (unwritten to the peer, unread by the program).
inline uint64_t window_growth(uint64_t window, uint64_t max_window, uint64_t sender_credit_left) {
    if (window >= max_window || sender_credit_left > window / 8) return 0;
    return std::min(window, max_window - window);
}

}  // namespace sockgate::proto
