#include "soak/report.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace sockgate::soak {
namespace {

double mib(int64_t bytes) { return double(bytes) / (1 << 20); }

}  // namespace

bool RunReport::passed() const {
    for (const auto& c : checks)
        if (!c.passed) return false;
    return true;
}

void print_report(const RunReport& r, const Tally& tally) {
    std::printf("\n== sockgate soak: seed %llu, %d sessions x %d sockets, %.0f s (churn %.0f s)\n",
                (unsigned long long)r.config.seed, r.config.sessions, r.config.sockets_per_session, r.wall_seconds,
                r.churn_seconds);
    std::printf("\n%-28s %14s\n", "operation", "count");
    for (size_t i = 0; i < kCounts; ++i)
        std::printf("%-28s %14llu\n", to_string(Count(i)), (unsigned long long)tally.get(Count(i)));
    std::printf("%-28s %14llu\n", "failures", (unsigned long long)tally.failures());

    std::printf("\n%-10s %9s %12s %12s %12s\n", "canary", "samples", "p50 (us)", "p99 (us)", "max (us)");
    for (size_t p = 0; p < size_t(Phase::count_); ++p)
        std::printf("%-10s %9zu %12.0f %12.0f %12.0f\n", to_string(Phase(p)), r.latency[p].samples, r.latency[p].p50_us,
                    r.latency[p].p99_us, r.latency[p].max_us);

    std::printf("\n%-10s %10s %10s %10s\n", "gateway", "baseline", "peak", "after");
    std::printf("%-10s %10lld %10lld %10lld\n", "fds", (long long)r.baseline.open_fds, (long long)r.peak.open_fds,
                (long long)r.after.open_fds);
    std::printf("%-10s %10.1f %10.1f %10.1f\n", "RSS MiB", mib(r.baseline.rss_bytes), mib(r.peak.rss_bytes),
                mib(r.after.rss_bytes));
    std::printf("%-10s %10lld %10lld %10lld\n", "sockets", (long long)r.baseline.sockets, (long long)r.peak.sockets,
                (long long)r.after.sockets);
    std::printf("%-10s %10lld %10lld %10lld\n", "sessions", (long long)r.baseline.sessions, (long long)r.peak.sessions,
                (long long)r.after.sessions);

    std::printf("\n");
    for (const auto& c : r.checks)
        std::printf("%s  %-34s %s\n", c.passed ? "ok  " : "FAIL", c.name.c_str(), c.detail.c_str());
    const auto messages = tally.failure_messages();
    if (!messages.empty()) {
        std::printf("\nfirst failures:\n");
        for (const auto& m : messages) std::printf("  %s\n", m.c_str());
    }
    std::printf("\nsoak %s (replay with --seed %llu)\n", r.passed() ? "PASSED" : "FAILED",
                (unsigned long long)r.config.seed);
    std::fflush(stdout);
}

bool write_json(const RunReport& r, const Tally& tally, const std::string& path) {
    nlohmann::json j;
    j["passed"] = r.passed();
    j["seed"] = r.config.seed;
    j["sessions"] = r.config.sessions;
    j["sockets_per_session"] = r.config.sockets_per_session;
    j["duration_s"] = r.config.duration.count();
    j["wall_s"] = r.wall_seconds;
    j["churn_s"] = r.churn_seconds;
    for (size_t i = 0; i < kCounts; ++i) j["counts"][to_string(Count(i))] = tally.get(Count(i));
    j["failures"] = tally.failures();
    j["failure_messages"] = tally.failure_messages();
    for (size_t p = 0; p < size_t(Phase::count_); ++p) {
        const auto& l = r.latency[p];
        j["canary_us"][to_string(Phase(p))] = {
            {"samples", l.samples}, {"p50", l.p50_us}, {"p99", l.p99_us}, {"max", l.max_us}};
    }
    auto sample = [](const GatewaySample& s) {
        return nlohmann::json{
            {"open_fds", s.open_fds}, {"rss_bytes", s.rss_bytes}, {"sessions", s.sessions}, {"sockets", s.sockets}};
    };
    j["gateway"] = {{"baseline", sample(r.baseline)},
                    {"peak", sample(r.peak)},
                    {"after", sample(r.after)},
                    {"exit_status", r.gateway_exit}};
    for (const auto& c : r.checks)
        j["checks"].push_back({{"name", c.name}, {"passed", c.passed}, {"detail", c.detail}});
    std::error_code ec;
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    std::ofstream out(path);
    out << j.dump(2) << "\n";
    if (!out) {
        std::fprintf(stderr, "sockgate-soak: cannot write %s\n", path.c_str());
        return false;
    }
    std::printf("results: %s\n", path.c_str());
    return true;
}

}  // namespace sockgate::soak
