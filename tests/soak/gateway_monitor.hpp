// Reads the gateway's /metrics: a snapshot now, and a sampler thread that
// keeps the peaks (RSS, descriptors, sockets, sessions) during the run.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

#include "support/gateway_process.hpp"

namespace sockgate::soak {

struct GatewaySample {
    int64_t open_fds = 0;
    int64_t rss_bytes = 0;
    int64_t sessions = 0;
    int64_t sockets = 0;  // tcp + listener + udp
};

// nullopt when /metrics could not be read.
std::optional<GatewaySample> sample_gateway(const testing::GatewayProcess& gw);

class GatewayMonitor {
public:
    explicit GatewayMonitor(const testing::GatewayProcess& gw) : gw_(gw) {}
    ~GatewayMonitor() { stop(); }
    void start();
    void stop();
    GatewaySample peak() const;
    uint64_t samples() const { return samples_; }

private:
    const testing::GatewayProcess& gw_;
    std::atomic<bool> stop_{false};
    std::atomic<uint64_t> samples_{0};
    mutable std::mutex mutex_;
    GatewaySample peak_;
    std::thread thread_;
};

}  // namespace sockgate::soak
