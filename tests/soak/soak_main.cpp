// sockgate-soak: 100 sessions x 100 sockets churned through one gateway on
// loopback, with hostile clients alongside, every byte checked; afterwards
// the gateway must be back to its baseline. See docs/SOAK.md.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <thread>

#include "soak/canary.hpp"
#include "soak/gateway_monitor.hpp"
#include "soak/hostile_clients.hpp"
#include "soak/payload.hpp"
#include "soak/peers.hpp"
#include "soak/report.hpp"
#include "soak/session_worker.hpp"
#include "soak/soak_config.hpp"
#include "support/gateway_process.hpp"

using namespace sockgate::soak;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// Kept back from the run's duration for ending sessions and checking that
// the gateway is back to its baseline.
constexpr auto kWindDown = 15s;
// Samples half a second apart with resident memory no longer falling before
// a figure is taken.
constexpr int kSteadySamples = 5;
// How long the gateway may take to close what the sessions left behind.
constexpr auto kSettleDeadline = 20s;
// The static file the hostile client asks for and never reads.
constexpr size_t kBigFileSize = 2 << 20;
constexpr size_t kEchoPorts = 4;

// Extra session slots beyond the soak's own sessions: the canary, the
// malformed and non-reading hostile sessions, and room for upgrade bursts
// to reach the limit.
constexpr int kSpareSessions = 40;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void raise_fd_limit() {
    rlimit r{};
    if (getrlimit(RLIMIT_NOFILE, &r) != 0) return;
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
}

uint64_t fd_limit() {
    rlimit r{};
    getrlimit(RLIMIT_NOFILE, &r);
    return r.rlim_cur;
}

// A web root with one large file, for the client that never reads it.
std::filesystem::path make_web_root(uint64_t seed) {
    std::string dir_template = (std::filesystem::temp_directory_path() / "sockgate-soak-XXXXXX").string();
    if (!mkdtemp(dir_template.data())) throw std::runtime_error("cannot create a temporary web root");
    std::filesystem::path dir(dir_template);
    std::ofstream(dir / "big.bin", std::ios::binary) << payload_bytes(kBigFileSize, seed);
    std::ofstream(dir / "index.html") << "<!doctype html><title>soak</title>\n";
    return dir;
}

// Polls until the gateway holds no sessions and sockets, no more descriptors
// than `fd_limit_after` and no more resident memory than `rss_limit_after`;
// returns the last sample.
GatewaySample wait_settled(const sockgate::testing::GatewayProcess& gw, int64_t fd_limit_after,
                           int64_t rss_limit_after = INT64_MAX) {
    const auto deadline = Clock::now() + kSettleDeadline;
    GatewaySample last;
    while (Clock::now() < deadline) {
        if (auto s = sample_gateway(gw)) {
            last = *s;
            if (s->sessions == 0 && s->sockets == 0 && s->open_fds <= fd_limit_after && s->rss_bytes <= rss_limit_after)
                break;
        }
        std::this_thread::sleep_for(100ms);
    }
    // The gateway gives memory back a moment after its last session ends:
    // the figure counts once it has stopped falling.
    int steady = 0;
    while (steady < kSteadySamples && Clock::now() < deadline) {
        std::this_thread::sleep_for(500ms);
        const auto s = sample_gateway(gw);
        if (!s) break;
        steady = s->rss_bytes < last.rss_bytes - last.rss_bytes / 100 ? 0 : steady + 1;
        last = *s;
    }
    return last;
}

std::string mib_text(int64_t bytes) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f MiB", double(bytes) / (1 << 20));
    return b;
}

}  // namespace

int main(int argc, char** argv) {
    int exit_code = 0;
    auto parsed = parse_config(argc, argv, exit_code);
    if (!parsed) return exit_code;
    SoakConfig config = *parsed;
    if (config.seed == 0) config.seed = std::random_device{}() | 1;
    std::printf("soak: seed %llu (replay with --seed %llu)\n", (unsigned long long)config.seed,
                (unsigned long long)config.seed);
    std::fflush(stdout);
    const auto started = Clock::now();

    raise_fd_limit();
    const uint64_t needed = uint64_t(config.sessions) * uint64_t(config.sockets_per_session) + 1000;
    if (fd_limit() < needed) {
        std::fprintf(stderr, "soak: RLIMIT_NOFILE is %llu; the run needs about %llu (ulimit -n)\n",
                     (unsigned long long)fd_limit(), (unsigned long long)needed);
        return 2;
    }

    Tally tally;
    RunReport report;
    report.config = config;
    const auto web_root = make_web_root(config.seed);
    Peers peers(tally, kEchoPorts);

    GatewayLimits limits;
    limits.max_connections_per_address = 150;
    limits.hello_timeout = 1000ms;
    // Longer than any pause of the slow readers, with room for a loaded machine.
    limits.outbound_stall = 10000ms;
    std::unique_ptr<sockgate::testing::GatewayProcess> gw;
    try {
        gw = std::make_unique<sockgate::testing::GatewayProcess>(std::vector<std::string>{
            "--quiet", "--web-root", web_root.string(), "--max-sessions",
            std::to_string(config.sessions + kSpareSessions), "--max-sockets",
            std::to_string(config.sockets_per_session + 10), "--hello-timeout-ms",
            std::to_string(limits.hello_timeout.count()), "--max-frame", "131072", "--max-outbound", "4194304",
            "--outbound-stall-ms", std::to_string(limits.outbound_stall.count()), "--max-http-connections", "400",
            "--max-connections-per-address", std::to_string(limits.max_connections_per_address)});
    } catch (const std::exception& e) {
        std::fprintf(stderr, "soak: the gateway did not start: %s\n", e.what());
        return 2;
    }
    const std::string ws_url = gw->ws_url();

    // Warm-up: every session and the hostile clients, briefly. The baseline
    // then includes what the gateway allocates once and keeps (the file
    // cache holding big.bin, the lookup threads' stacks, and the heap pages
    // that stay resident after a load of this size; docs/SOAK.md has the
    // figures), so "back to baseline" afterwards means the long run left
    // nothing behind.
    {
        std::printf("soak: warming up for %lld ms\n", (long long)config.warmup_phase.count());
        std::fflush(stdout);
        std::atomic<bool> warm_stop{false};
        SessionEnvironment warm_env{config, tally, peers, ws_url, warm_stop};
        HostileClients warm_hostile(tally, peers, gw->port(), limits, "big.bin", config.seed ^ 0x5eed);
        warm_hostile.start(config.hostile);
        std::vector<std::thread> warm;
        for (int i = 0; i < config.sessions; ++i)
            warm.emplace_back([&warm_env, i] { SessionWorker(warm_env, i).run(); });
        std::this_thread::sleep_for(config.warmup_phase);
        warm_stop = true;
        for (auto& t : warm) t.join();
        warm_hostile.stop();
    }

    // Baseline: the gateway idle again after the warm-up.
    const auto baseline = wait_settled(*gw, INT64_MAX);
    report.baseline = baseline;
    GatewayMonitor monitor(*gw);
    monitor.start();

    // Quiet phase: the canary alone.
    Canary canary(tally, ws_url, gw->demo_port());
    if (!canary.start()) {
        std::fprintf(stderr, "soak: the canary session did not start\n");
        return 1;
    }
    std::printf("soak: quiet baseline for %lld ms\n", (long long)config.baseline_phase.count());
    std::fflush(stdout);
    std::this_thread::sleep_for(config.baseline_phase);

    // Hostile phase: the hostile clients and the canary.
    canary.set_phase(Phase::hostile);
    HostileClients hostile(tally, peers, gw->port(), limits, "big.bin", config.seed);
    hostile.start(config.hostile);
    std::printf("soak: hostile clients alone for %lld ms\n", (long long)config.hostile_phase.count());
    std::fflush(stdout);
    std::this_thread::sleep_for(config.hostile_phase);

    // Churn: every session, with the hostile clients still at it.
    canary.set_phase(Phase::churn);
    std::atomic<bool> stop{false};
    SessionEnvironment env{config, tally, peers, ws_url, stop};
    std::vector<std::thread> workers;
    const auto churn_started = Clock::now();
    const auto churn_end = started + config.duration - kWindDown;
    std::printf("soak: %d sessions churning for %.0f s\n", config.sessions,
                std::chrono::duration<double>(churn_end - churn_started).count());
    std::fflush(stdout);
    for (int i = 0; i < config.sessions; ++i) workers.emplace_back([&env, i] { SessionWorker(env, i).run(); });
    while (Clock::now() < churn_end && gw->alive()) std::this_thread::sleep_for(100ms);
    stop = true;
    for (auto& t : workers) t.join();
    report.churn_seconds = seconds_since(churn_started);
    hostile.stop();
    canary.stop();
    monitor.stop();
    std::printf("soak: churn over after %.0f s; waiting for the gateway to settle\n", report.churn_seconds);
    std::fflush(stdout);

    const bool alive = gw->alive();
    const int64_t fd_bound =
        baseline.open_fds + std::max<int64_t>(1, int64_t(double(baseline.open_fds) * config.max_growth));
    const int64_t rss_bound = baseline.rss_bytes + int64_t(double(baseline.rss_bytes) * config.max_rss_growth);
    report.after = alive ? wait_settled(*gw, fd_bound, rss_bound) : GatewaySample{};
    report.peak = monitor.peak();
    for (size_t p = 0; p < size_t(Phase::count_); ++p) report.latency[p] = canary.summary(Phase(p));
    if (alive && config.hold_gateway.count() > 0) {
        std::printf("soak: gateway kept on http://127.0.0.1:%u for %lld s\n", unsigned(gw->port()),
                    (long long)config.hold_gateway.count());
        std::fflush(stdout);
        std::this_thread::sleep_for(config.hold_gateway);
    }
    report.gateway_exit = alive ? gw->stop() : -1;
    peers.stop();
    std::filesystem::remove_all(web_root);
    report.wall_seconds = seconds_since(started);

    // Verdicts.
    auto& checks = report.checks;
    checks.push_back(
        {"gateway alive, clean exit", alive && report.gateway_exit == 0,
         alive ? "exit status " + std::to_string(report.gateway_exit) : "the gateway died during the run"});
    checks.push_back({"no failed operations", tally.failures() == 0, std::to_string(tally.failures()) + " failures"});
    const auto& quiet = report.latency[size_t(Phase::quiet)];
    const auto& hostile_l = report.latency[size_t(Phase::hostile)];
    const auto& churn_l = report.latency[size_t(Phase::churn)];
    const double hostile_ratio = quiet.p50_us > 0 ? hostile_l.p50_us / quiet.p50_us : 0;
    const double churn_ratio = quiet.p50_us > 0 ? churn_l.p50_us / quiet.p50_us : 0;
    char detail[160];
    std::snprintf(detail, sizeof detail, "p50 %.0f us vs quiet %.0f us: x%.2f (limit x%.1f)", hostile_l.p50_us,
                  quiet.p50_us, hostile_ratio, config.max_latency_ratio);
    if (config.max_latency_ratio <= 0)
        std::snprintf(detail, sizeof detail, "p50 %.0f us vs quiet %.0f us: x%.2f (reported, not checked)",
                      hostile_l.p50_us, quiet.p50_us, hostile_ratio);
    checks.push_back(
        {"canary under hostile clients",
         hostile_l.samples > 0 && (config.max_latency_ratio <= 0 || hostile_ratio <= config.max_latency_ratio),
         detail});
    std::snprintf(detail, sizeof detail, "p50 %.0f us vs quiet %.0f us: x%.2f (reported, not checked)", churn_l.p50_us,
                  quiet.p50_us, churn_ratio);
    checks.push_back({"canary under full churn", churn_l.samples > 0, detail});
    checks.push_back({"peak RSS under bound",
                      report.peak.rss_bytes > 0 && uint64_t(report.peak.rss_bytes) <= config.max_rss_bytes,
                      mib_text(report.peak.rss_bytes) + " (bound " + mib_text(int64_t(config.max_rss_bytes)) + ")"});
    checks.push_back(
        {"sessions and sockets back to 0", report.after.sessions == 0 && report.after.sockets == 0,
         std::to_string(report.after.sessions) + " sessions, " + std::to_string(report.after.sockets) + " sockets"});
    checks.push_back({"fds back within 10% of baseline", report.after.open_fds <= fd_bound,
                      std::to_string(report.after.open_fds) + " (baseline " + std::to_string(baseline.open_fds) + ")"});
    checks.push_back(
        {"RSS back within " + std::to_string(int(config.max_rss_growth * 100 + 0.5)) + "% of warm baseline",
         report.after.rss_bytes <= rss_bound,
         mib_text(report.after.rss_bytes) + " (baseline " + mib_text(baseline.rss_bytes) + ")"});

    print_report(report, tally);
    write_json(report, tally, config.json_out);
    return report.passed() ? 0 : 1;
}
