// The real gateway binary, started for one workload and watched through
// /proc and its /metrics endpoint.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sockgate::bench {

// From /proc/<pid>/status, in bytes.
struct ProcessMemory {
    uint64_t rss = 0;   // VmRSS: resident now
    uint64_t peak = 0;  // VmHWM: the most it was ever resident
};

class GatewayProcess {
public:
    // Starts `binary --listen 127.0.0.1:0 --no-demo --quiet <args>` and waits
    // for its "listening on" line. Throws std::runtime_error if it does not
    // come (the gateway's own output is in the message).
    GatewayProcess(const std::string& binary, const std::vector<std::string>& args);
    ~GatewayProcess();
    GatewayProcess(const GatewayProcess&) = delete;
    GatewayProcess& operator=(const GatewayProcess&) = delete;

    pid_t pid() const { return pid_; }
    uint16_t port() const { return port_; }
    std::string ws_url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/ws"; }

    ProcessMemory memory() const;
    // User plus system CPU time used so far, in seconds.
    double cpu_seconds() const;
    // GET /metrics: the Prometheus text, or "" if it could not be fetched.
    std::string metrics() const;

    // SIGTERM, then waits; SIGKILL if it lingers. Returns the exit status
    // (negative: the signal that ended it).
    int stop();

private:
    pid_t pid_ = -1;
    uint16_t port_ = 0;
};

// The value of one sample in Prometheus text, e.g.
// prometheus_value(text, "sockgate_sockets{kind=\"tcp\"}"); -1 when absent.
long long prometheus_value(const std::string& text, const std::string& name_with_labels);

}  // namespace sockgate::bench
