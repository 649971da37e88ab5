// sockgate-bench: relay throughput, latency, fan-out, UDP and gateway
// memory/CPU, each against the direct path. See docs/PERFORMANCE.md.
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <iostream>

#include "bench/bench_config.hpp"
#include "bench/checks.hpp"
#include "bench/drivers.hpp"
#include "bench/machine.hpp"
#include "bench/results_json.hpp"
#include "bench/table.hpp"
#include "bench/workloads.hpp"
#include "support/tuning/malloc_tuning.hpp"

using namespace sockgate::bench;

namespace {

// "throughput relay ..." progress lines go to stderr; the table to stdout.
template <class Leg>
Leg timed(const char* workload, const char* path, Leg (*run)(const BenchEnv&, PathKind), const BenchEnv& env,
          PathKind kind) {
    std::cerr << "  " << workload << " / " << path << " ..." << std::flush;
    const auto start = Clock::now();
    Leg leg = run(env, kind);
    std::cerr << " " << (leg.ran ? "done" : "FAILED") << " in " << seconds_between(start, Clock::now()) << " s";
    if (!leg.failure.empty()) std::cerr << ": " << leg.failure;
    std::cerr << std::endl;
    return leg;
}

BenchResults run_all(const BenchConfig& c, const BenchEnv& env) {
    // Direct first, then relay, workload by workload: both legs of a
    // comparison run close together, under much the same background load.
    BenchResults r;
    if (c.runs("throughput")) {
        auto& t = r.throughput;
        t.bytes = c.throughput_bytes;
        t.chunk = c.throughput_chunk;
        t.expected_checksum = EchoTransfer::expected_checksum(env.pattern, c.throughput_bytes, c.throughput_chunk);
        for (size_t i = 0; i < c.throughput_runs; ++i) {
            ThroughputPair pair;
            pair.direct = timed("throughput", "direct", run_throughput, env, PathKind::direct);
            pair.relay = timed("throughput", "relay", run_throughput, env, PathKind::relay);
            t.runs.push_back(std::move(pair));
        }
        pick_median_pair(t);
    }
    if (c.runs("latency")) {
        auto& l = r.latency;
        l.round_trips = c.latency_round_trips;
        l.message_bytes = c.message_bytes;
        l.direct = timed("latency", "direct", run_latency, env, PathKind::direct);
        l.relay = timed("latency", "relay", run_latency, env, PathKind::relay);
    }
    if (c.runs("fanout")) {
        auto& f = r.fanout;
        f.sessions = c.fanout_sessions;
        f.sockets_per_session = c.fanout_sockets_per_session;
        f.rounds = c.fanout_rounds;
        f.direct = timed("fan-out", "direct", run_fanout, env, PathKind::direct);
        f.relay = timed("fan-out", "relay", run_fanout, env, PathKind::relay);
    }
    if (c.runs("udp")) {
        auto& u = r.udp;
        u.payload_bytes = c.udp_payload_bytes;
        u.window = c.udp_window;
        u.count = c.udp_count;
        u.paced_count = c.udp_paced_count;
        u.paced_rate = c.udp_paced_rate;
        u.direct = timed("udp", "direct", run_udp, env, PathKind::direct);
        u.relay = timed("udp", "relay", run_udp, env, PathKind::relay);
    }
    return r;
}

// Writes the document, reads it back and checks it as a consumer would.
std::vector<std::string> write_and_validate(const std::string& file, const nlohmann::ordered_json& doc,
                                            const BenchConfig& config) {
    {
        std::ofstream out(file);
        out << doc.dump(2) << "\n";
        if (!out) return {"cannot write " + file};
    }
    std::ifstream in(file);
    const auto reread = nlohmann::json::parse(in, nullptr, false);
    if (reread.is_discarded()) return {file + " is not valid JSON"};
    return validate_results_json(reread, config);
}

// Runs the workloads against freshly forked echo peers, reports, and
// returns the exit status.
int run_bench(const BenchConfig& config) {
    auto machine = describe_machine();
    const std::string build_type = SOCKGATE_BENCH_BUILD_TYPE;
    std::cerr << "sockgate-bench (" << (config.quick ? "quick" : "full") << ", " << build_type << " build) on "
              << machine["nproc"] << " x " << machine["cpu_model"].get<std::string>() << ", load average "
              << load_average() << "\n";
    if (build_type == "Debug" || build_type == "none")
        std::cerr << "note: this is not an optimised build; its figures say little about the gateway's speed "
                     "(see docs/PERFORMANCE.md)\n";

    const EchoPeers peers;  // forks: before anything starts a thread
    const PatternSource pattern;
    const BenchEnv env{config, peers, pattern};
    const auto started = Clock::now();
    const BenchResults results = run_all(config, env);
    const double total_seconds = seconds_between(started, Clock::now());

    const auto checks = check_results(config, results);
    const auto targets = evaluate_targets(config, results);
    auto doc = results_to_json(config, results, checks, targets);
    doc["machine"] = machine;
    doc["machine"]["load_average_after"] = load_average();
    doc["build_type"] = build_type;
    doc["seconds"] = total_seconds;
    const auto problems = write_and_validate(config.out_file, doc, config);

    std::cout << "\n" << format_table(config, results, targets);
    bool ok = true;
    for (const auto& ch : checks) {
        if (ch.ok) continue;
        ok = false;
        std::cout << "FAILED: " << ch.name << ": " << ch.detail << "\n";
    }
    for (const auto& p : problems) {
        ok = false;
        std::cout << "FAILED: results file: " << p << "\n";
    }
    std::cout << "\n"
              << (ok ? "all checks passed" : "CHECKS FAILED") << "; results in " << config.out_file << " ("
              << total_seconds << " s)\n";
    return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    // The client side runs websocketpp as the gateway does, and is tuned the
    // same way (see malloc_tuning.hpp); the direct path barely allocates.
    sockgate::support::keep_freed_memory_for_reuse();
    std::signal(SIGPIPE, SIG_IGN);
    BenchConfig config;
    config.gateway_binary = SOCKGATE_BENCH_DEFAULT_GATEWAY;
    try {
        if (parse_bench_args(argc, argv, config) == ParseOutcome::help) {
            std::cout << bench_usage();
            return 0;
        }
    } catch (const UsageError& e) {
        std::cerr << "sockgate-bench: " << e.what() << "\n(see sockgate-bench --help)\n";
        return 2;
    }
    if (access(config.gateway_binary.c_str(), X_OK) != 0) {
        std::cerr << "sockgate-bench: no gateway binary at " << config.gateway_binary << " (use --gateway PATH)\n";
        return 2;
    }
    // The direct fan-out holds one end of every socket here, the echo peers'
    // process (which inherits the limit, as does the gateway) the other.
    const uint64_t fanout_files = config.runs("fanout") ? config.fanout_sockets() : 0;
    if (const std::string problem = raise_open_file_limit(fanout_files + 1024); !problem.empty()) {
        std::cerr << "sockgate-bench: " << problem << "\n";
        return 1;
    }

    try {
        return run_bench(config);
    } catch (const std::exception& e) {
        // Workload failures are caught per leg; this is the bench itself
        // failing to set up (the echo peers would not start).
        std::cerr << "sockgate-bench: " << e.what() << "\n";
        return 1;
    }
}
