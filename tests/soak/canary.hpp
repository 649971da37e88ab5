// A session that only does small echo round trips to the gateway's demo
// peer, the whole run, and records their latency by phase: what another
// session's user would feel while the soak goes on.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "soak/tally.hpp"

namespace sockgate::soak {

enum class Phase { quiet, hostile, churn, count_ };
const char* to_string(Phase p);

struct LatencySummary {
    size_t samples = 0;
    double p50_us = 0;
    double p99_us = 0;
    double max_us = 0;
};

class Canary {
public:
    Canary(Tally& tally, std::string ws_url, uint16_t demo_port);
    ~Canary();
    // Opens the session and starts the round trips; false if it cannot.
    bool start();
    void set_phase(Phase p) { phase_ = p; }
    void stop();
    LatencySummary summary(Phase p) const;

private:
    void run();

    Tally& tally_;
    std::string url_;
    uint16_t demo_port_;
    std::atomic<Phase> phase_{Phase::quiet};
    std::atomic<bool> stop_{false};
    std::atomic<bool> ready_{false};
    mutable std::mutex mutex_;
    std::vector<double> samples_[size_t(Phase::count_)];
    std::thread thread_;
};

}  // namespace sockgate::soak
