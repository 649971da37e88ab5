#include "soak/tally.hpp"

#include <cstdio>

namespace sockgate::soak {
namespace {

// Enough to diagnose; a systematic fault would otherwise flood the report.
constexpr size_t kKeptMessages = 50;

}  // namespace

const char* to_string(Count c) {
    switch (c) {
        case Count::sessions_opened:
            return "sessions_opened";
        case Count::session_drops:
            return "session_drops";
        case Count::session_pauses:
            return "session_pauses";
        case Count::session_reopen_refused:
            return "session_reopen_refused";
        case Count::connects:
            return "connects";
        case Count::listens:
            return "listens";
        case Count::accepts:
            return "accepts";
        case Count::echo_round_trips:
            return "echo_round_trips";
        case Count::slow_reads:
            return "slow_reads";
        case Count::half_closes:
            return "half_closes";
        case Count::closes:
            return "closes";
        case Count::resets:
            return "resets";
        case Count::bytes_checked:
            return "bytes_checked";
        case Count::udp_binds:
            return "udp_binds";
        case Count::datagrams_sent:
            return "datagrams_sent";
        case Count::datagrams_received:
            return "datagrams_received";
        case Count::datagrams_lost:
            return "datagrams_lost";
        case Count::hostile_non_reader:
            return "hostile_non_reader";
        case Count::hostile_upgrade_burst:
            return "hostile_upgrade_burst";
        case Count::hostile_upgrades_refused:
            return "hostile_upgrades_refused";
        case Count::hostile_no_hello:
            return "hostile_no_hello";
        case Count::hostile_hoarder:
            return "hostile_hoarder";
        case Count::hostile_static_non_reader:
            return "hostile_static_non_reader";
        case Count::hostile_malformed:
            return "hostile_malformed";
        case Count::hostile_abrupt_drop:
            return "hostile_abrupt_drop";
        case Count::count_:
            break;
    }
    return "?";
}

void Tally::fail(const std::string& where, const std::string& what) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++failures_;
    if (messages_.size() < kKeptMessages) {
        messages_.push_back(where + ": " + what);
        std::fprintf(stderr, "soak: FAIL %s: %s\n", where.c_str(), what.c_str());
    }
}

uint64_t Tally::failures() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return failures_;
}

std::vector<std::string> Tally::failure_messages() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return messages_;
}

}  // namespace sockgate::soak
