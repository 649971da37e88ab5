#include "bench/checks.hpp"

#include <cmath>
#include <tuple>

namespace sockgate::bench {
namespace {

// The targets.
constexpr double kThroughputTarget = 0.60;      // of direct
constexpr double kLatencyOverheadTarget = 2.0;  // x direct p50
constexpr double kBytesPerSocketTarget = 20 * 1024;

bool positive(double v) { return std::isfinite(v) && v > 0; }

class CheckList {
public:
    void add(std::string name, bool ok, std::string detail = {}) {
        checks_.push_back({std::move(name), ok, ok ? std::string() : std::move(detail)});
    }
    // A leg that did not complete fails here with its reason; later checks
    // on its numbers would only repeat the news.
    bool ran(const std::string& name, const LegOutcome& leg) {
        add(name + " completed", leg.ran, leg.failure.empty() ? "did not run" : leg.failure);
        return leg.ran;
    }
    std::vector<Check> take() { return std::move(checks_); }

private:
    std::vector<Check> checks_;
};

void check_throughput(CheckList& list, const ThroughputResult& t, const char* path, const ThroughputLeg& leg) {
    const std::string name = std::string("throughput/") + path;
    list.ran(name, leg);
    // Even a failed run must not have delivered wrong bytes.
    list.add(name + " echo complete", leg.bytes_echoed == t.bytes,
             std::to_string(leg.bytes_echoed) + " of " + std::to_string(t.bytes) + " bytes came back");
    if (leg.bytes_echoed == t.bytes)
        list.add(name + " checksum", leg.checksum == t.expected_checksum, "the echoed bytes differ from those sent");
}

void check_datagrams(CheckList& list, const std::string& name, const DatagramTally& t, uint64_t count) {
    list.add(name + " all sent", t.sent == count, std::to_string(t.sent) + " of " + std::to_string(count) + " sent");
    list.add(name + " none lost", t.lost() == 0, std::to_string(t.lost()) + " of " + std::to_string(t.sent) + " lost");
    list.add(name + " none corrupt", t.corrupt == 0, std::to_string(t.corrupt) + " corrupt or duplicate echoes");
}

void check_throughput_pair(CheckList& list, const ThroughputResult& t, const ThroughputPair& pair,
                           const std::string& suffix) {
    check_throughput(list, t, ("direct" + suffix).c_str(), pair.direct);
    check_throughput(list, t, ("relay" + suffix).c_str(), pair.relay);
    const ThroughputLeg& relay = pair.relay;
    if (!relay.ran) return;
    list.add("throughput/relay" + suffix + " gateway counted every byte",
             relay.metric_bytes_to_client == (long long)t.bytes && relay.metric_bytes_from_client == (long long)t.bytes,
             "/metrics says " + std::to_string(relay.metric_bytes_from_client) + " bytes from and " +
                 std::to_string(relay.metric_bytes_to_client) + " to the client, expected " + std::to_string(t.bytes));
    list.add("throughput/relay" + suffix + " gateway CPU measured", relay.gateway_cpu_seconds >= 0,
             "could not read the gateway's /proc stat");
}

// Every pair must be intact, not only the median one that is reported.
void check_throughput_workload(CheckList& list, const BenchConfig& c, const ThroughputResult& t) {
    list.add("throughput runs", t.runs.size() == c.throughput_runs,
             std::to_string(t.runs.size()) + " of " + std::to_string(c.throughput_runs) + " pairs ran");
    for (size_t i = 0; i < t.runs.size(); ++i)
        check_throughput_pair(list, t, t.runs[i], t.runs.size() > 1 ? " run " + std::to_string(i + 1) : "");
}

void check_latency_workload(CheckList& list, const BenchConfig& c, const LatencyResult& l) {
    for (const auto* leg : {&l.direct, &l.relay}) {
        const std::string name = std::string("latency/") + (leg == &l.direct ? "direct" : "relay");
        if (!list.ran(name, *leg)) continue;
        list.add(name + " round trips",
                 leg->round_trips == c.latency_round_trips && leg->rtt.samples == c.latency_round_trips,
                 std::to_string(leg->round_trips) + " of " + std::to_string(c.latency_round_trips));
    }
}

void check_fanout_workload(CheckList& list, const BenchConfig& c, const FanoutResult& f) {
    for (const auto* leg : {&f.direct, &f.relay}) {
        const std::string name = std::string("fanout/") + (leg == &f.direct ? "direct" : "relay");
        if (!list.ran(name, *leg)) continue;
        list.add(name + " sockets", leg->sockets_opened == c.fanout_sockets(),
                 std::to_string(leg->sockets_opened) + " of " + std::to_string(c.fanout_sockets()) + " opened");
        const uint64_t want = c.fanout_sockets() * c.fanout_rounds;
        list.add(name + " round trips", leg->round_trips == want,
                 std::to_string(leg->round_trips) + " of " + std::to_string(want));
    }
    if (!f.relay.ran) return;
    list.add("fanout/relay gateway held every socket", f.relay.metric_tcp_sockets == (long long)c.fanout_sockets(),
             "/metrics says " + std::to_string(f.relay.metric_tcp_sockets) + " TCP sockets, expected " +
                 std::to_string(c.fanout_sockets()));
    list.add("fanout/relay gateway memory measured", f.relay.gateway_idle_rss > 0 && f.relay.gateway_peak_rss > 0,
             "could not read the gateway's /proc status");
}

void check_udp_workload(CheckList& list, const BenchConfig& c, const UdpResult& u) {
    for (const auto* leg : {&u.direct, &u.relay}) {
        const std::string name = std::string("udp/") + (leg == &u.direct ? "direct" : "relay");
        if (!list.ran(name, *leg)) continue;
        check_datagrams(list, name + " closed loop", leg->closed_loop, c.udp_count);
        check_datagrams(list, name + " paced", leg->paced, c.udp_paced_count);
    }
}

}  // namespace

std::vector<Check> check_results(const BenchConfig& c, const BenchResults& r) {
    CheckList list;
    const auto& t = r.throughput;
    const auto& l = r.latency;
    const auto& f = r.fanout;
    const auto& u = r.udp;
    if (c.runs("throughput")) check_throughput_workload(list, c, t);
    if (c.runs("latency")) check_latency_workload(list, c, l);
    if (c.runs("fanout")) check_fanout_workload(list, c, f);
    if (c.runs("udp")) check_udp_workload(list, c, u);

    // Every figure a ratio is made of must be a real, positive measurement.
    const std::tuple<const char*, const char*, double> ratios[] = {
        {"throughput", "throughput ratio", ratio(t.relay.mib_per_s, t.direct.mib_per_s)},
        {"latency", "latency p50 ratio", ratio(l.relay.rtt.p50_us, l.direct.rtt.p50_us)},
        {"fanout", "fanout ratio", ratio(f.relay.round_trips_per_s, f.direct.round_trips_per_s)},
        {"udp", "udp ratio", ratio(datagram_rate(u.relay.closed_loop), datagram_rate(u.direct.closed_loop))},
    };
    for (const auto& [workload, name, value] : ratios)
        if (c.runs(workload)) list.add(std::string(name) + " > 0", positive(value), "it is " + fmt("%g", value));
    return list.take();
}

// ---------------------------------------------------------------- targets

std::vector<Target> evaluate_targets(const BenchConfig& c, const BenchResults& r) {
    std::vector<Target> targets;
    const auto& t = r.throughput;
    if (c.runs("throughput")) {
        const double tr = ratio(t.relay.mib_per_s, t.direct.mib_per_s);
        targets.push_back({"throughput", ">= 60% of direct", fmt("%.0f%%", 100 * tr), tr >= kThroughputTarget});
    }
    if (c.runs("latency")) {
        // "RTT p50 overhead <= 2x direct's RTT": what the relay adds to the
        // median round trip may be at most twice the direct median, i.e.
        // relay p50 <= 3x direct p50.
        const auto& l = r.latency;
        const double overhead = l.relay.rtt.p50_us - l.direct.rtt.p50_us;
        const double allowed = kLatencyOverheadTarget * l.direct.rtt.p50_us;
        targets.push_back({"RTT p50 overhead", "<= 2x direct p50 (" + fmt("%.1f", allowed) + " us)",
                           fmt("%.1f us", overhead) + " (" + fmt("%.2f", overhead / l.direct.rtt.p50_us) + "x)",
                           l.relay.ran && l.direct.ran && overhead <= allowed});
    }
    if (c.runs("fanout")) {
        const double per_socket = gateway_bytes_per_socket(r.fanout);
        targets.push_back({"gateway RSS per socket", "<= 20 KiB at " + std::to_string(c.fanout_sockets()) + " sockets",
                           fmt("%.1f KiB", per_socket / 1024),
                           r.fanout.relay.ran && per_socket <= kBytesPerSocketTarget});
    }
    {
        // Over whichever workloads ran.
        const bool tcp_intact = !c.runs("throughput") ||
                                (t.direct.bytes_echoed == t.bytes && t.relay.bytes_echoed == t.bytes &&
                                 t.direct.checksum == t.expected_checksum && t.relay.checksum == t.expected_checksum);
        const bool udp_ran = !c.runs("udp") || (r.udp.relay.ran && r.udp.direct.ran);
        const uint64_t udp_lost = r.udp.direct.closed_loop.lost() + r.udp.relay.closed_loop.lost();
        targets.push_back({"no data lost", "TCP intact, no closed-loop UDP loss",
                           std::string(tcp_intact ? "TCP intact" : "TCP DAMAGED") + ", " + std::to_string(udp_lost) +
                               " datagrams lost",
                           tcp_intact && udp_ran && udp_lost == 0});
    }
    if (c.runs("udp")) {
        const auto& paced = r.udp.relay.paced;
        targets.push_back({"UDP loss at " + std::to_string(c.udp_paced_rate) + "/s", "0 lost through the gateway",
                           std::to_string(paced.lost()) + " of " + std::to_string(paced.sent) + " lost",
                           r.udp.relay.ran && paced.sent == c.udp_paced_count && paced.lost() == 0});
    }
    return targets;
}

}  // namespace sockgate::bench
