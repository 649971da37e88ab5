// The run's outcome: checks with their verdicts, a table for people and
// JSON for tools (test-artifacts/soak/).
#pragma once

#include <string>
#include <vector>

#include "soak/canary.hpp"
#include "soak/gateway_monitor.hpp"
#include "soak/soak_config.hpp"
#include "soak/tally.hpp"

namespace sockgate::soak {

struct Check {
    std::string name;
    bool passed = false;
    std::string detail;
};

struct RunReport {
    SoakConfig config;
    double wall_seconds = 0;
    double churn_seconds = 0;
    LatencySummary latency[size_t(Phase::count_)];
    GatewaySample baseline, peak, after;
    int gateway_exit = -1;
    std::vector<Check> checks;
    bool passed() const;
};

void print_report(const RunReport& report, const Tally& tally);
// Returns false (and says why on stderr) if the file cannot be written.
bool write_json(const RunReport& report, const Tally& tally, const std::string& path);

}  // namespace sockgate::soak
