#include "bench/bench_config.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>

namespace sockgate::bench {
namespace {

void apply_quick_preset(BenchConfig& c) {
    // Small enough to finish well under a minute on a busy 2-core machine,
    // large enough that every code path (credit stalls, many sessions,
    // batched grants) still runs.
    c.quick = true;
    c.throughput_bytes = 32ull << 20;
    c.throughput_runs = 3;  // still exercises picking the median
    c.latency_round_trips = 2000;
    c.fanout_sessions = 10;
    c.fanout_sockets_per_session = 20;
    c.fanout_rounds = 20;
    c.udp_count = 5000;
    c.udp_paced_count = 2000;
    c.udp_paced_rate = 2000;
    c.workload_limit = std::chrono::seconds(120);
}

uint64_t parse_count(const std::string& flag, const std::string& text) {
    uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v == 0)
        throw UsageError(flag + " needs a positive integer, got '" + text + "'");
    return v;
}

void add_workloads(const std::string& list, std::set<std::string>& out) {
    size_t start = 0;
    while (start <= list.size()) {
        const size_t comma = std::min(list.find(',', start), list.size());
        const std::string name = list.substr(start, comma - start);
        if (std::find(std::begin(kWorkloads), std::end(kWorkloads), name) == std::end(kWorkloads))
            throw UsageError("--only: unknown workload '" + name + "' (throughput, latency, fanout, udp)");
        out.insert(name);
        start = comma + 1;
    }
}

}  // namespace

std::string bench_usage() {
    return R"(Usage: sockgate-bench [OPTIONS]

Measures the sockgate gateway against the direct path: the same workloads
over plain loopback sockets to the same in-process echo peers, then through
a freshly started gateway (one per workload), using the client core and
NativeTransport. Prints a table and writes the results as JSON.

  --gateway PATH        The sockgate binary to start.
                        Default: the one this build made
  --gateway-arg ARG     Pass ARG on to the gateway (repeatable), e.g.
                        --gateway-arg=--window=1048576
  --out FILE            Where to write the JSON results.
                        Default: bench-results.json
  --quick               Every workload scaled down (about 20 s in all).
  --only LIST           Run only these workloads, comma-separated, out of
                        throughput, latency, fanout, udp (for profiling).
  --bytes N             Throughput: bytes to echo (default 268435456).
  --throughput-runs N   Throughput: direct/relay pairs to run; the pair with
                        the median ratio is reported (default 5).
  --round-trips N       Latency: sequential round trips (default 10000).
  --sessions N          Fan-out: sessions (default 100).
  --sockets N           Fan-out: TCP sockets per session (default 100).
  --rounds N            Fan-out: round trips per socket (default 10).
  --datagrams N         UDP closed loop: datagrams (default 100000).
  --udp-rate N          UDP paced: datagrams per second (default 10000).
  --paced-datagrams N   UDP paced: datagrams (default 50000).
  --help                This text.

Exit status: 0 when every workload completed with all data intact; 1 when
data was lost or corrupted or a workload failed; 2 for a bad command line.
Speed never affects the exit status.
)";
}

ParseOutcome parse_bench_args(int argc, const char* const argv[], BenchConfig& config) {
    std::vector<std::string> args(argv + 1, argv + argc);
    // --quick first, so that single-figure flags override the preset
    // whatever their order.
    for (const auto& a : args)
        if (a == "--quick") apply_quick_preset(config);

    for (size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i];
        std::string value;
        bool has_value = false;
        if (const auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
            has_value = true;
        }
        auto take = [&]() -> std::string {
            if (has_value) return value;
            if (i + 1 >= args.size()) throw UsageError(flag + " needs a value");
            return args[++i];
        };
        if (flag == "--help" || flag == "-h") return ParseOutcome::help;
        if (flag == "--quick") continue;
        if (flag == "--gateway")
            config.gateway_binary = take();
        else if (flag == "--gateway-arg")
            config.gateway_extra_args.push_back(take());
        else if (flag == "--out")
            config.out_file = take();
        else if (flag == "--only")
            add_workloads(take(), config.only);
        else if (flag == "--bytes")
            config.throughput_bytes = parse_count(flag, take());
        else if (flag == "--throughput-runs")
            config.throughput_runs = size_t(parse_count(flag, take()));
        else if (flag == "--round-trips")
            config.latency_round_trips = parse_count(flag, take());
        else if (flag == "--sessions")
            config.fanout_sessions = size_t(parse_count(flag, take()));
        else if (flag == "--sockets")
            config.fanout_sockets_per_session = size_t(parse_count(flag, take()));
        else if (flag == "--rounds")
            config.fanout_rounds = parse_count(flag, take());
        else if (flag == "--datagrams")
            config.udp_count = parse_count(flag, take());
        else if (flag == "--udp-rate")
            config.udp_paced_rate = parse_count(flag, take());
        else if (flag == "--paced-datagrams")
            config.udp_paced_count = parse_count(flag, take());
        else
            throw UsageError("unknown option '" + args[i] + "'");
    }
    if (config.out_file.empty()) throw UsageError("--out needs a file name");
    return ParseOutcome::run;
}

}  // namespace sockgate::bench
