#include "bench/table.hpp"

#include <cstdio>
#include <sstream>

namespace sockgate::bench {

namespace {

class Table {
public:
    void row(const char* workload, const std::string& metric, const std::string& direct, const std::string& relay,
             const std::string& relative = "") {
        char line[160];
        std::snprintf(line, sizeof line, "%-11s %-34s %12s %12s %9s\n", workload, metric.c_str(), direct.c_str(),
                      relay.c_str(), relative.c_str());
        out_ << line;
    }
    // A relay-only figure.
    void gateway_row(const std::string& metric, const std::string& relay) { row("", metric, "-", relay); }
    std::ostringstream& out() { return out_; }

private:
    std::ostringstream out_;
};

std::string num(double v, const char* format = "%.1f") { return fmt(format, v); }
std::string times(double relay, double direct) { return direct > 0 ? fmt("%.2fx", relay / direct) : "-"; }

void throughput_rows(Table& table, const ThroughputResult& t) {
    table.row("throughput", "MiB/s (" + std::to_string(t.bytes >> 20) + " MiB echoed)", num(t.direct.mib_per_s),
              num(t.relay.mib_per_s), times(t.relay.mib_per_s, t.direct.mib_per_s));
    table.row("", "client CPU s (bench side)", num(t.direct.client_cpu_seconds, "%.2f"),
              num(t.relay.client_cpu_seconds, "%.2f"), times(t.relay.client_cpu_seconds, t.direct.client_cpu_seconds));
    table.gateway_row("gateway CPU s", num(t.relay.gateway_cpu_seconds, "%.2f"));
    table.gateway_row("gateway CPU s per GiB relayed", num(gateway_cpu_per_gib(t), "%.2f"));
    if (t.runs.size() > 1) {
        // The figures above are the median pair's; show the spread.
        std::string each;
        for (const auto& p : t.runs)
            each += (each.empty() ? "" : " ") + fmt("%.2f", ratio(p.relay.mib_per_s, p.direct.mib_per_s));
        table.out() << "            relay/direct of each of the " << t.runs.size()
                    << " runs (the median one is shown): " << each << "\n";
    }
}

void latency_rows(Table& table, const LatencyResult& l) {
    const auto& d = l.direct.rtt;
    const auto& r = l.relay.rtt;
    const std::string what = std::to_string(l.round_trips) + " x " + std::to_string(l.message_bytes) + " B";
    table.row("latency", "p50 us (" + what + ")", num(d.p50_us), num(r.p50_us), times(r.p50_us, d.p50_us));
    table.row("", "p99 us", num(d.p99_us), num(r.p99_us), times(r.p99_us, d.p99_us));
    table.row("", "p99.9 us", num(d.p999_us), num(r.p999_us), times(r.p999_us, d.p999_us));
}

void fanout_rows(Table& table, const FanoutResult& f) {
    const std::string shape = std::to_string(f.sessions) + "x" + std::to_string(f.sockets_per_session);
    table.row("fan-out", "round trips/s (" + shape + " sockets)", num(f.direct.round_trips_per_s, "%.0f"),
              num(f.relay.round_trips_per_s, "%.0f"), times(f.relay.round_trips_per_s, f.direct.round_trips_per_s));
    table.row("", "p99 us under fan-out", num(f.direct.rtt.p99_us, "%.0f"), num(f.relay.rtt.p99_us, "%.0f"),
              times(f.relay.rtt.p99_us, f.direct.rtt.p99_us));
    table.row("", "client CPU s (bench side)", num(f.direct.client_cpu_seconds, "%.2f"),
              num(f.relay.client_cpu_seconds, "%.2f"), times(f.relay.client_cpu_seconds, f.direct.client_cpu_seconds));
    table.gateway_row("gateway CPU s", num(f.relay.gateway_cpu_seconds, "%.2f"));
    table.gateway_row("gateway idle RSS MiB", num(double(f.relay.gateway_idle_rss) / kMiB));
    table.gateway_row("gateway peak RSS MiB", num(double(f.relay.gateway_peak_rss) / kMiB));
    table.gateway_row("gateway KiB per socket beyond idle", num(gateway_bytes_per_socket(f) / 1024));
}

void udp_rows(Table& table, const UdpResult& u) {
    const double direct = datagram_rate(u.direct.closed_loop);
    const double relay = datagram_rate(u.relay.closed_loop);
    table.row("udp",
              "datagrams/s (" + std::to_string(u.window) + " in flight, " + std::to_string(u.payload_bytes) + " B)",
              num(direct, "%.0f"), num(relay, "%.0f"), times(relay, direct));
    table.row("", "lost of " + std::to_string(u.count), std::to_string(u.direct.closed_loop.lost()),
              std::to_string(u.relay.closed_loop.lost()));
    table.row("", "lost of " + std::to_string(u.paced_count) + " at " + std::to_string(u.paced_rate) + "/s",
              std::to_string(u.direct.paced.lost()), std::to_string(u.relay.paced.lost()));
}

}  // namespace

std::string format_table(const BenchConfig& c, const BenchResults& r, const std::vector<Target>& targets) {
    Table table;
    table.row("workload", "metric", "direct", "relay", "relay/dir");
    table.out() << std::string(82, '-') << "\n";
    if (c.runs("throughput")) throughput_rows(table, r.throughput);
    if (c.runs("latency")) latency_rows(table, r.latency);
    if (c.runs("fanout")) fanout_rows(table, r.fanout);
    if (c.runs("udp")) udp_rows(table, r.udp);

    table.out() << "\ntargets" << (c.quick ? " (quick run: indicative only)" : "") << ":\n";
    for (const auto& tg : targets) {
        char line[200];
        std::snprintf(line, sizeof line, "  %-8s %-24s %-40s %s\n", tg.met ? "met" : "NOT MET", tg.name.c_str(),
                      tg.goal.c_str(), tg.measured.c_str());
        table.out() << line;
    }
    return table.out().str();
}

}  // namespace sockgate::bench
