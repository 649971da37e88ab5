// The four workloads, each run once per path.
#pragma once

#include "bench/bench_config.hpp"
#include "bench/echo_peers.hpp"
#include "bench/payload.hpp"
#include "bench/results.hpp"

namespace sockgate::bench {

enum class PathKind { direct, relay };

// What every workload needs from the run.
struct BenchEnv {
    const BenchConfig& config;
    const EchoPeers& peers;
    const PatternSource& pattern;
};

ThroughputLeg run_throughput(const BenchEnv& env, PathKind kind);
LatencyLeg run_latency(const BenchEnv& env, PathKind kind);
FanoutLeg run_fanout(const BenchEnv& env, PathKind kind);
UdpLeg run_udp(const BenchEnv& env, PathKind kind);

}  // namespace sockgate::bench
