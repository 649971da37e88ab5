// Counts of what the soak did and the failures it saw, shared by every
// thread of the run.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace sockgate::soak {

enum class Count {
    // Sessions
    sessions_opened,
    session_drops,
    session_pauses,
    session_reopen_refused,  // 503 while hostile clients held the slots: retried
    // TCP
    connects,
    listens,
    accepts,
    echo_round_trips,
    slow_reads,
    half_closes,
    closes,
    resets,
    bytes_checked,
    // UDP
    udp_binds,
    datagrams_sent,
    datagrams_received,
    datagrams_lost,
    // Hostile clients: completed cycles
    hostile_non_reader,
    hostile_upgrade_burst,
    hostile_upgrades_refused,
    hostile_no_hello,
    hostile_hoarder,
    hostile_static_non_reader,
    hostile_malformed,
    hostile_abrupt_drop,
    count_
};
constexpr size_t kCounts = size_t(Count::count_);
const char* to_string(Count c);

class Tally {
public:
    void add(Count c, uint64_t n = 1) { counts_[size_t(c)].fetch_add(n, std::memory_order_relaxed); }
    uint64_t get(Count c) const { return counts_[size_t(c)].load(std::memory_order_relaxed); }

    // A failure, named by who saw it ("session 12 slot 40 echo") and what.
    // The first ones are kept in full, the rest only counted.
    void fail(const std::string& where, const std::string& what);
    uint64_t failures() const;
    std::vector<std::string> failure_messages() const;

private:
    std::array<std::atomic<uint64_t>, kCounts> counts_{};
    mutable std::mutex mutex_;
    std::vector<std::string> messages_;
    uint64_t failures_ = 0;
};

}  // namespace sockgate::soak
