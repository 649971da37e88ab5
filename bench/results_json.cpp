#include "bench/results_json.hpp"

#include <cmath>

namespace sockgate::bench {
namespace {

using ojson = nlohmann::ordered_json;

bool positive(double v) { return std::isfinite(v) && v > 0; }

ojson latency_json(const LatencySummary& s) {
    return {{"samples", s.samples}, {"p50_us", s.p50_us},   {"p99_us", s.p99_us},
            {"p999_us", s.p999_us}, {"mean_us", s.mean_us}, {"max_us", s.max_us}};
}

ojson outcome_json(const LegOutcome& leg) {
    ojson j{{"completed", leg.ran}};
    if (!leg.failure.empty()) j["failure"] = leg.failure;
    return j;
}

ojson tally_json(const DatagramTally& t) {
    return {{"sent", t.sent},       {"received", t.received}, {"lost", t.lost()},
            {"corrupt", t.corrupt}, {"seconds", t.seconds},   {"datagrams_per_s", datagram_rate(t)}};
}

ojson throughput_json(const ThroughputResult& t) {
    auto leg = [&](const ThroughputLeg& l) {
        ojson j = outcome_json(l);
        j["bytes_echoed"] = l.bytes_echoed;
        j["checksum_ok"] = l.bytes_echoed == t.bytes && l.checksum == t.expected_checksum;
        j["seconds"] = l.seconds;
        j["mib_per_s"] = l.mib_per_s;
        j["client_cpu_seconds"] = l.client_cpu_seconds;
        return j;
    };
    ojson relay = leg(t.relay);
    relay["gateway_cpu_seconds"] = t.relay.gateway_cpu_seconds;
    relay["gateway_cpu_seconds_per_gib"] = gateway_cpu_per_gib(t);
    relay["metric_bytes_to_client"] = t.relay.metric_bytes_to_client;
    relay["metric_bytes_from_client"] = t.relay.metric_bytes_from_client;
    // Every pair, in the order they ran; direct, relay and ratio above are
    // the median pair's.
    ojson runs = ojson::array();
    for (const auto& p : t.runs)
        runs.push_back({{"direct_mib_per_s", p.direct.mib_per_s},
                        {"relay_mib_per_s", p.relay.mib_per_s},
                        {"ratio", ratio(p.relay.mib_per_s, p.direct.mib_per_s)},
                        {"gateway_cpu_seconds_per_gib", gateway_cpu_per_gib(p.relay)}});
    return {{"bytes", t.bytes},
            {"chunk_bytes", t.chunk},
            {"direct", leg(t.direct)},
            {"relay", relay},
            {"ratio", ratio(t.relay.mib_per_s, t.direct.mib_per_s)},
            {"runs", runs}};
}

ojson latency_result_json(const LatencyResult& l) {
    auto leg = [](const LatencyLeg& x) {
        ojson j = outcome_json(x);
        j["round_trips"] = x.round_trips;
        j["rtt"] = latency_json(x.rtt);
        return j;
    };
    const auto& d = l.direct.rtt;
    const auto& r = l.relay.rtt;
    return {{"round_trips", l.round_trips},
            {"message_bytes", l.message_bytes},
            {"direct", leg(l.direct)},
            {"relay", leg(l.relay)},
            {"ratio_p50", ratio(r.p50_us, d.p50_us)},
            {"ratio_p99", ratio(r.p99_us, d.p99_us)},
            {"ratio_p999", ratio(r.p999_us, d.p999_us)},
            {"overhead_p50_us", r.p50_us - d.p50_us}};
}

ojson fanout_json(const FanoutResult& f) {
    auto leg = [](const FanoutLeg& x) {
        ojson j = outcome_json(x);
        j["sockets_opened"] = x.sockets_opened;
        j["round_trips"] = x.round_trips;
        j["connect_seconds"] = x.connect_seconds;
        j["seconds"] = x.seconds;
        j["round_trips_per_s"] = x.round_trips_per_s;
        j["rtt"] = latency_json(x.rtt);
        j["client_cpu_seconds"] = x.client_cpu_seconds;
        return j;
    };
    ojson relay = leg(f.relay);
    relay["gateway_idle_rss_bytes"] = f.relay.gateway_idle_rss;
    relay["gateway_peak_rss_bytes"] = f.relay.gateway_peak_rss;
    relay["gateway_loaded_rss_bytes"] = f.relay.gateway_loaded_rss;
    relay["gateway_bytes_per_socket"] = gateway_bytes_per_socket(f);
    relay["gateway_cpu_seconds"] = f.relay.gateway_cpu_seconds;
    relay["metric_tcp_sockets"] = f.relay.metric_tcp_sockets;
    return {{"sessions", f.sessions},
            {"sockets_per_session", f.sockets_per_session},
            {"sockets", uint64_t(f.sessions) * f.sockets_per_session},
            {"rounds_per_socket", f.rounds},
            {"direct", leg(f.direct)},
            {"relay", relay},
            {"ratio", ratio(f.relay.round_trips_per_s, f.direct.round_trips_per_s)}};
}

ojson udp_json(const UdpResult& u) {
    auto leg = [](const UdpLeg& x) {
        ojson j = outcome_json(x);
        j["closed_loop"] = tally_json(x.closed_loop);
        j["paced"] = tally_json(x.paced);
        return j;
    };
    ojson relay = leg(u.relay);
    relay["metric_dropped_to_client"] = u.relay.metric_dropped_to_client;
    relay["metric_dropped_from_client"] = u.relay.metric_dropped_from_client;
    return {{"payload_bytes", u.payload_bytes},
            {"closed_loop_count", u.count},
            {"closed_loop_window", u.window},
            {"paced_count", u.paced_count},
            {"paced_rate_per_s", u.paced_rate},
            {"direct", leg(u.direct)},
            {"relay", relay},
            {"ratio", ratio(datagram_rate(u.relay.closed_loop), datagram_rate(u.direct.closed_loop))}};
}

class JsonValidator {
public:
    explicit JsonValidator(const nlohmann::json& doc) : doc_(doc) {}

    const nlohmann::json* at(const std::string& pointer) {
        const nlohmann::json::json_pointer p(pointer);
        if (!doc_.contains(p)) {
            problems_.push_back(pointer + " is missing");
            return nullptr;
        }
        return &doc_.at(p);
    }
    void equals(const std::string& pointer, uint64_t want) {
        const auto* v = at(pointer);
        if (v && !(v->is_number_unsigned() && v->get<uint64_t>() == want))
            problems_.push_back(pointer + " is " + v->dump() + ", expected " + std::to_string(want));
    }
    void positive_number(const std::string& pointer) {
        const auto* v = at(pointer);
        if (v && !(v->is_number() && positive(v->get<double>())))
            problems_.push_back(pointer + " is " + v->dump() + ", expected a positive number");
    }
    void is_true(const std::string& pointer) {
        const auto* v = at(pointer);
        if (v && !(v->is_boolean() && v->get<bool>()))
            problems_.push_back(pointer + " is " + v->dump() + ", expected true");
    }
    std::vector<std::string> take() { return std::move(problems_); }

private:
    const nlohmann::json& doc_;
    std::vector<std::string> problems_;
};

}  // namespace

nlohmann::ordered_json results_to_json(const BenchConfig& c, const BenchResults& r, const std::vector<Check>& checks,
                                       const std::vector<Target>& targets) {
    ojson doc;
    doc["tool"] = "sockgate-bench";
    doc["mode"] = c.quick ? "quick" : "full";
    doc["gateway_binary"] = c.gateway_binary;
    doc["gateway_extra_args"] = c.gateway_extra_args;
    ojson workloads = ojson::array();
    for (const char* w : kWorkloads)
        if (c.runs(w)) workloads.push_back(w);
    doc["workloads"] = workloads;
    if (c.runs("throughput")) doc["throughput"] = throughput_json(r.throughput);
    if (c.runs("latency")) doc["latency"] = latency_result_json(r.latency);
    if (c.runs("fanout")) doc["fanout"] = fanout_json(r.fanout);
    if (c.runs("udp")) doc["udp"] = udp_json(r.udp);
    ojson targets_json = ojson::array();
    for (const auto& t : targets)
        targets_json.push_back({{"name", t.name}, {"goal", t.goal}, {"measured", t.measured}, {"met", t.met}});
    doc["targets"] = targets_json;
    ojson checks_json = ojson::array();
    bool ok = true;
    for (const auto& ch : checks) {
        ojson j{{"name", ch.name}, {"ok", ch.ok}};
        if (!ch.ok) j["detail"] = ch.detail;
        checks_json.push_back(j);
        ok = ok && ch.ok;
    }
    doc["checks"] = checks_json;
    doc["ok"] = ok;
    return doc;
}

std::vector<std::string> validate_results_json(const nlohmann::json& doc, const BenchConfig& c) {
    JsonValidator v(doc);
    v.is_true("/ok");
    if (c.runs("throughput")) {
        v.equals("/throughput/bytes", c.throughput_bytes);
        for (const std::string p : {"direct", "relay"}) {
            v.equals("/throughput/" + p + "/bytes_echoed", c.throughput_bytes);
            v.is_true("/throughput/" + p + "/checksum_ok");
            v.positive_number("/throughput/" + p + "/mib_per_s");
        }
        v.positive_number("/throughput/ratio");
        v.positive_number("/throughput/relay/gateway_cpu_seconds_per_gib");
        for (size_t i = 0; i < c.throughput_runs; ++i)
            v.positive_number("/throughput/runs/" + std::to_string(i) + "/ratio");
    }
    if (c.runs("latency")) {
        for (const std::string p : {"direct", "relay"}) {
            v.equals("/latency/" + p + "/round_trips", c.latency_round_trips);
            v.positive_number("/latency/" + p + "/rtt/p50_us");
        }
        v.positive_number("/latency/ratio_p50");
    }
    if (c.runs("fanout")) {
        for (const std::string p : {"direct", "relay"}) {
            v.equals("/fanout/" + p + "/sockets_opened", c.fanout_sockets());
            v.equals("/fanout/" + p + "/round_trips", c.fanout_sockets() * c.fanout_rounds);
            v.positive_number("/fanout/" + p + "/round_trips_per_s");
        }
        v.positive_number("/fanout/ratio");
        v.positive_number("/fanout/relay/gateway_peak_rss_bytes");
    }
    if (c.runs("udp")) {
        for (const std::string p : {"direct", "relay"}) {
            v.equals("/udp/" + p + "/closed_loop/received", c.udp_count);
            v.equals("/udp/" + p + "/closed_loop/lost", 0);
            v.equals("/udp/" + p + "/paced/received", c.udp_paced_count);
            v.equals("/udp/" + p + "/paced/lost", 0);
            v.positive_number("/udp/" + p + "/closed_loop/datagrams_per_s");
        }
        v.positive_number("/udp/ratio");
    }
    return v.take();
}

}  // namespace sockgate::bench
