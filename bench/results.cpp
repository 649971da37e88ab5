#include "bench/results.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sockgate::bench {

LatencySummary summarize_latency(std::vector<uint32_t> samples_ns) {
    LatencySummary s;
    s.samples = samples_ns.size();
    if (samples_ns.empty()) return s;
    std::sort(samples_ns.begin(), samples_ns.end());
    // Nearest rank: the smallest sample with at least q of all at or below it.
    auto percentile_us = [&](double q) {
        const size_t rank = size_t(std::ceil(q * double(samples_ns.size())));
        return samples_ns[std::clamp<size_t>(rank, 1, samples_ns.size()) - 1] / 1000.0;
    };
    s.p50_us = percentile_us(0.50);
    s.p99_us = percentile_us(0.99);
    s.p999_us = percentile_us(0.999);
    double sum = 0;
    for (uint32_t v : samples_ns) sum += v;
    s.mean_us = sum / double(samples_ns.size()) / 1000.0;
    s.max_us = samples_ns.back() / 1000.0;
    return s;
}

double datagram_rate(const DatagramTally& t) { return t.seconds > 0 ? double(t.received) / t.seconds : 0; }

double gateway_bytes_per_socket(const FanoutResult& f) {
    const FanoutLeg& r = f.relay;
    if (r.sockets_opened == 0 || r.gateway_peak_rss < r.gateway_idle_rss) return 0;
    return double(r.gateway_peak_rss - r.gateway_idle_rss) / double(r.sockets_opened);
}

double gateway_cpu_per_gib(const ThroughputLeg& relay) {
    // The throughput run relays every byte twice, to the peer and back.
    const double gib = 2.0 * double(relay.bytes_echoed) / kGiB;
    return gib > 0 && relay.gateway_cpu_seconds >= 0 ? relay.gateway_cpu_seconds / gib : 0;
}

double gateway_cpu_per_gib(const ThroughputResult& t) { return gateway_cpu_per_gib(t.relay); }

void pick_median_pair(ThroughputResult& t) {
    if (t.runs.empty()) return;
    std::vector<const ThroughputPair*> order;
    for (const auto& p : t.runs) order.push_back(&p);
    std::sort(order.begin(), order.end(), [](const ThroughputPair* a, const ThroughputPair* b) {
        return ratio(a->relay.mib_per_s, a->direct.mib_per_s) < ratio(b->relay.mib_per_s, b->direct.mib_per_s);
    });
    const ThroughputPair& median = *order[(order.size() - 1) / 2];
    t.direct = median.direct;
    t.relay = median.relay;
}

std::string fmt(const char* format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

}  // namespace sockgate::bench
