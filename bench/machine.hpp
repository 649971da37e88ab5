// The machine a run happened on, and the process limits it needs.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace sockgate::bench {

// nproc, CPU model, kernel, load averages and the time, for the results.
nlohmann::ordered_json describe_machine();

// The 1-minute load average, or -1.
double load_average();

// CPU time (user + system) this process has used, in seconds. The bench is
// one thread, so this is the client side of every workload (the echo peers
// run in a process of their own).
double own_cpu_seconds();

// Raises RLIMIT_NOFILE (soft, and hard if need be: that needs root) to at
// least `needed`, so this process and the gateway it starts (which inherits
// the limit) can hold every socket. Returns "" or what went wrong.
std::string raise_open_file_limit(uint64_t needed);

}  // namespace sockgate::bench
