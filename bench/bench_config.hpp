// What sockgate-bench measures and how much of it: the command line and the
// two presets (full and --quick).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace sockgate::bench {

struct BenchConfig {
    std::string gateway_binary;
    std::vector<std::string> gateway_extra_args;  // --gateway-arg, passed on verbatim
    std::string out_file = "bench-results.json";
    bool quick = false;
    // Workloads to run (--only); empty means all of kWorkloads.
    std::set<std::string> only;

    // Throughput: one stream echoing this many bytes, written in chunks.
    uint64_t throughput_bytes = 256ull << 20;
    size_t throughput_chunk = 16 << 10;
    // Pairs of throughput legs (direct, then relay). One stream's rate moves
    // with the background load far more than any other figure, so the pair
    // with the median ratio is the one reported and judged; every pair must
    // be intact.
    size_t throughput_runs = 5;

    // Latency: sequential round trips of one small message.
    uint64_t latency_round_trips = 10000;
    size_t message_bytes = 32;

    // Fan-out: sessions x sockets, each socket doing `fanout_rounds`
    // sequential round trips, all sockets at once.
    size_t fanout_sessions = 100;
    size_t fanout_sockets_per_session = 100;
    uint64_t fanout_rounds = 10;
    // TCP connects in flight at once while the fan-out sets up, so the echo
    // peer's accept backlog never overflows (a dropped SYN costs a second).
    size_t connect_window = 1000;

    // UDP, closed loop: this many datagrams with at most `udp_window` awaiting
    // their echo; then open loop: `udp_paced_count` at `udp_paced_rate` per s.
    uint64_t udp_count = 100000;
    size_t udp_window = 32;
    size_t udp_payload_bytes = 64;
    uint64_t udp_paced_count = 50000;
    uint64_t udp_paced_rate = 10000;

    // Any one workload on one path must finish within this. A safety net
    // against hangs, far above the expected times: the relay's latency leg
    // alone takes minutes while 40 ms Nagle stalls remain (PERFORMANCE.md).
    std::chrono::seconds workload_limit{600};

    uint64_t fanout_sockets() const { return uint64_t(fanout_sessions) * fanout_sockets_per_session; }
    bool runs(const std::string& workload) const { return only.empty() || only.count(workload) != 0; }
};

inline const char* const kWorkloads[] = {"throughput", "latency", "fanout", "udp"};

// Thrown for a bad command line; the message is for the user.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class ParseOutcome { run, help };

// Fills `config` from argv (the full preset, or --quick's, then the flags
// that override single figures).
ParseOutcome parse_bench_args(int argc, const char* const argv[], BenchConfig& config);
std::string bench_usage();

}  // namespace sockgate::bench
