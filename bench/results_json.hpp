// The results as JSON, and the check a consumer of the file would make.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_config.hpp"
#include "bench/checks.hpp"
#include "bench/results.hpp"

namespace sockgate::bench {

nlohmann::ordered_json results_to_json(const BenchConfig& config, const BenchResults& results,
                                       const std::vector<Check>& checks, const std::vector<Target>& targets);

// Problems with a results file as written and read back: missing or
// non-numeric fields, counts that disagree with the configuration, data
// lost. Empty when the file is sound.
std::vector<std::string> validate_results_json(const nlohmann::json& doc, const BenchConfig& config);

}  // namespace sockgate::bench
