// Verdicts on a run: checks that decide the exit status (data intact,
// counts as expected), and the performance targets (reported only).
#pragma once

#include <string>
#include <vector>

#include "bench/bench_config.hpp"
#include "bench/results.hpp"

namespace sockgate::bench {

// Something that must hold for the run to pass. Never about speed.
struct Check {
    std::string name;
    bool ok = false;
    std::string detail;
};
std::vector<Check> check_results(const BenchConfig& config, const BenchResults& results);

// A performance goal from the issue. Reported, never enforced.
struct Target {
    std::string name;
    std::string goal;
    std::string measured;
    bool met = false;
};
std::vector<Target> evaluate_targets(const BenchConfig& config, const BenchResults& results);

}  // namespace sockgate::bench
