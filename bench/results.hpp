// What one run measured, workload by workload and path by path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/drivers.hpp"

namespace sockgate::bench {

struct LatencySummary {
    uint64_t samples = 0;
    double p50_us = 0, p99_us = 0, p999_us = 0, mean_us = 0, max_us = 0;
};
// Nearest-rank percentiles of round trip times given in nanoseconds.
LatencySummary summarize_latency(std::vector<uint32_t> samples_ns);

// How one workload went on one path.
struct LegOutcome {
    bool ran = false;     // the workload completed (data may still be wrong)
    std::string failure;  // why not, when it did not
};

struct ThroughputLeg : LegOutcome {
    uint64_t bytes_echoed = 0;
    uint64_t checksum = 0;
    double seconds = 0;
    double mib_per_s = 0;
    double client_cpu_seconds = 0;  // the bench's side of the transfer
    // Relay only (negative on the direct path).
    double gateway_cpu_seconds = -1;
    long long metric_bytes_to_client = -1;
    long long metric_bytes_from_client = -1;
};
struct ThroughputPair {
    ThroughputLeg direct, relay;
};
struct ThroughputResult {
    uint64_t bytes = 0;
    size_t chunk = 0;
    uint64_t expected_checksum = 0;
    std::vector<ThroughputPair> runs;  // in the order they ran
    ThroughputLeg direct, relay;       // the pair with the median ratio
};

struct LatencyLeg : LegOutcome {
    uint64_t round_trips = 0;
    LatencySummary rtt;
};
struct LatencyResult {
    uint64_t round_trips = 0;
    size_t message_bytes = 0;
    LatencyLeg direct, relay;
};

struct FanoutLeg : LegOutcome {
    uint64_t sockets_opened = 0;
    uint64_t round_trips = 0;
    double connect_seconds = 0;  // opening every socket (and session)
    double seconds = 0;          // the round trips, all sockets at once
    double round_trips_per_s = 0;
    LatencySummary rtt;
    double client_cpu_seconds = 0;  // the bench's side of the round trips
    // Relay only.
    uint64_t gateway_idle_rss = 0;    // VmRSS before any session
    uint64_t gateway_peak_rss = 0;    // VmHWM after the round trips
    uint64_t gateway_loaded_rss = 0;  // VmRSS then, every socket still open
    double gateway_cpu_seconds = -1;  // during the round trips
    long long metric_tcp_sockets = -1;
};
struct FanoutResult {
    size_t sessions = 0, sockets_per_session = 0;
    uint64_t rounds = 0;
    FanoutLeg direct, relay;
};

struct UdpLeg : LegOutcome {
    DatagramTally closed_loop;
    DatagramTally paced;
    // Relay only: the gateway's own drop counters.
    long long metric_dropped_to_client = -1;
    long long metric_dropped_from_client = -1;
};
struct UdpResult {
    size_t payload_bytes = 0, window = 0;
    uint64_t count = 0, paced_count = 0, paced_rate = 0;
    UdpLeg direct, relay;
};

// ---- figures derived from the measurements

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGiB = 1024.0 * kMiB;

// relay / direct; 0 when there is no direct figure to compare with.
inline double ratio(double relay, double direct) { return direct > 0 ? relay / direct : 0; }
double datagram_rate(const DatagramTally& t);
// Peak gateway RSS beyond the idle process, per socket of the fan-out.
double gateway_bytes_per_socket(const FanoutResult& f);
// Gateway CPU seconds per GiB that crossed it (both directions count).
double gateway_cpu_per_gib(const ThroughputResult& t);
double gateway_cpu_per_gib(const ThroughputLeg& relay);
// Sets direct and relay to the pair of `runs` with the median ratio (the
// lower middle one for an even count).
void pick_median_pair(ThroughputResult& t);
// printf-style formatting of one number.
std::string fmt(const char* format, double v);

struct BenchResults {
    ThroughputResult throughput;
    LatencyResult latency;
    FanoutResult fanout;
    UdpResult udp;
};

}  // namespace sockgate::bench
