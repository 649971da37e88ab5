// The short table printed at the end of a run.
#pragma once

#include <string>
#include <vector>

#include "bench/bench_config.hpp"
#include "bench/checks.hpp"
#include "bench/results.hpp"

namespace sockgate::bench {

std::string format_table(const BenchConfig& config, const BenchResults& results, const std::vector<Target>& targets);

}  // namespace sockgate::bench
