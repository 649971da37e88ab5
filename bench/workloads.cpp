#include "bench/workloads.hpp"

#include <algorithm>
#include <memory>

#include "bench/direct_path.hpp"
#include "bench/event_loop.hpp"
#include "bench/machine.hpp"
#include "bench/relay_path.hpp"
#include "support/gateway_process.hpp"

namespace sockgate::bench {
namespace {

using testing::GatewayProcess;

// Bytes a direct stream reads at once: plenty for a bulk transfer, little
// when ten thousand streams each hold a buffer.
constexpr size_t kBulkReadBuffer = 64 << 10;
constexpr size_t kSmallReadBuffer = 1 << 10;

// One workload on one path: its event loop, the gateway when relayed, and
// the path. Members go in reverse: the path's sockets and sessions first,
// then the gateway, then the loop they ran on.
class Leg {
public:
    Leg(const BenchEnv& env, PathKind kind, size_t read_buffer) : loop_(env.config.workload_limit) {
        const BenchConfig& c = env.config;
        const size_t connect_window = c.connect_window;
        if (kind == PathKind::direct) {
            path_ = std::make_unique<DirectPath>(loop_, env.peers.tcp_port(), env.peers.udp_port(), read_buffer,
                                                 connect_window);
            return;
        }
        // Room for the fan-out, never below the gateway's defaults.
        std::vector<std::string> args{"--max-sessions", std::to_string(std::max<size_t>(256, c.fanout_sessions + 8)),
                                      "--max-sockets",
                                      std::to_string(std::max<size_t>(64, c.fanout_sockets_per_session + 8))};
        args.insert(args.end(), c.gateway_extra_args.begin(), c.gateway_extra_args.end());
        args.insert(args.begin(), "--quiet");
        testing::GatewayLaunch launch;
        launch.binary = c.gateway_binary;
        launch.demo = false;
        // Its stdout and stderr both into the pipe, which is closed after the
        // banner: a gateway that fails to start says why there, and its
        // shutdown line later does not cut into the bench's progress output.
        launch.merge_stderr = true;
        launch.keep_output = false;
        launch.close_inherited_fds = true;
        gateway_ = std::make_unique<GatewayProcess>(args, launch);
        path_ = std::make_unique<RelayPath>(loop_, gateway_->ws_url(), env.peers.tcp_port(), env.peers.udp_port(),
                                            connect_window);
    }

    EventLoop& loop() { return loop_; }
    Path& path() { return *path_; }
    GatewayProcess* gateway() { return gateway_.get(); }  // nullptr on the direct path

private:
    EventLoop loop_;
    std::unique_ptr<GatewayProcess> gateway_;
    std::unique_ptr<Path> path_;
};

// Runs `body` and turns a thrown exception (a gateway that would not
// start, an error thrown out of a handler) into the leg's failure.
template <class LegResult, class Body>
LegResult guarded(Body body) {
    LegResult r;
    try {
        body(r);
    } catch (const std::exception& e) {
        r.ran = false;
        if (r.failure.empty()) r.failure = e.what();
    }
    return r;
}

void note_outcome(LegOutcome& r, const EventLoop& loop) {
    r.ran = !loop.failed();
    r.failure = loop.failure();
}

}  // namespace

ThroughputLeg run_throughput(const BenchEnv& env, PathKind kind) {
    return guarded<ThroughputLeg>([&](ThroughputLeg& r) {
        const BenchConfig& c = env.config;
        Leg leg(env, kind, kBulkReadBuffer);
        std::unique_ptr<EchoTransfer> transfer;
        double cpu_before = 0, client_cpu_before = 0;
        leg.path().open_streams(1, 1, [&](std::vector<Stream*> streams) {
            if (leg.gateway()) cpu_before = leg.gateway()->cpu_seconds();
            client_cpu_before = own_cpu_seconds();
            transfer = std::make_unique<EchoTransfer>(leg.loop(), *streams.front(), env.pattern, c.throughput_bytes,
                                                      c.throughput_chunk, [&] { leg.loop().finish(); });
            transfer->start();
        });
        leg.loop().run();
        r.client_cpu_seconds = own_cpu_seconds() - client_cpu_before;
        note_outcome(r, leg.loop());
        if (!transfer) return;
        r.bytes_echoed = transfer->received();
        r.checksum = transfer->checksum();
        if (!r.ran) return;
        r.seconds = transfer->seconds();
        r.mib_per_s = double(r.bytes_echoed) / double(1 << 20) / r.seconds;
        if (GatewayProcess* gw = leg.gateway()) {
            r.gateway_cpu_seconds = gw->cpu_seconds() - cpu_before;
            const std::string m = gw->metrics();
            r.metric_bytes_to_client = testing::metric(m, "sockgate_bytes_relayed_total{direction=\"to_client\"}");
            r.metric_bytes_from_client = testing::metric(m, "sockgate_bytes_relayed_total{direction=\"from_client\"}");
        }
    });
}

LatencyLeg run_latency(const BenchEnv& env, PathKind kind) {
    return guarded<LatencyLeg>([&](LatencyLeg& r) {
        const BenchConfig& c = env.config;
        Leg leg(env, kind, kSmallReadBuffer);
        std::vector<uint32_t> samples;
        samples.reserve(c.latency_round_trips);
        std::unique_ptr<PingPong> warm_up, measured;
        leg.path().open_streams(1, 1, [&](std::vector<Stream*> streams) {
            Stream& stream = *streams.front();
            // A few unrecorded rounds first, so first-use costs (page faults,
            // lazily grown buffers) do not land in the tail.
            const uint64_t warm_rounds = std::clamp<uint64_t>(c.latency_round_trips / 10, 1, 200);
            warm_up = std::make_unique<PingPong>(leg.loop(), stream, 1, c.message_bytes, warm_rounds, nullptr, [&] {
                measured = std::make_unique<PingPong>(leg.loop(), stream, 0, c.message_bytes, c.latency_round_trips,
                                                      &samples, [&] { leg.loop().finish(); });
                measured->start();
            });
            warm_up->start();
        });
        leg.loop().run();
        note_outcome(r, leg.loop());
        r.round_trips = measured ? measured->completed() : 0;
        r.rtt = summarize_latency(std::move(samples));
    });
}

FanoutLeg run_fanout(const BenchEnv& env, PathKind kind) {
    return guarded<FanoutLeg>([&](FanoutLeg& r) {
        const BenchConfig& c = env.config;
        Leg leg(env, kind, kSmallReadBuffer);
        GatewayProcess* gw = leg.gateway();
        if (gw) r.gateway_idle_rss = gw->memory().rss;

        std::vector<uint32_t> samples;
        samples.reserve(size_t(c.fanout_sockets() * c.fanout_rounds));
        std::vector<std::unique_ptr<PingPong>> pingers;
        size_t finished = 0;
        double cpu_before = 0, client_cpu_before = 0;
        Clock::time_point opened_at, round_trips_done;
        const auto connect_started = Clock::now();

        leg.path().open_streams(c.fanout_sessions, c.fanout_sockets_per_session, [&](std::vector<Stream*> streams) {
            opened_at = Clock::now();
            r.sockets_opened = streams.size();
            if (gw) cpu_before = gw->cpu_seconds();
            client_cpu_before = own_cpu_seconds();
            for (size_t i = 0; i < streams.size(); ++i) {
                pingers.push_back(std::make_unique<PingPong>(leg.loop(), *streams[i], i, c.message_bytes,
                                                             c.fanout_rounds, &samples, [&] {
                                                                 if (++finished < pingers.size()) return;
                                                                 round_trips_done = Clock::now();
                                                                 leg.loop().finish();
                                                             }));
            }
            // All at once: each sends its first message before any echo is read.
            for (auto& p : pingers) p->start();
        });
        leg.loop().run();
        r.client_cpu_seconds = own_cpu_seconds() - client_cpu_before;
        note_outcome(r, leg.loop());
        for (const auto& p : pingers) r.round_trips += p->completed();
        if (!r.ran) return;
        r.connect_seconds = seconds_between(connect_started, opened_at);
        r.seconds = seconds_between(opened_at, round_trips_done);
        r.round_trips_per_s = double(r.round_trips) / r.seconds;
        r.rtt = summarize_latency(std::move(samples));
        if (gw) {
            // Every socket is still open here.
            r.gateway_cpu_seconds = gw->cpu_seconds() - cpu_before;
            const testing::ProcessMemory mem = gw->memory();
            r.gateway_peak_rss = mem.peak;
            r.gateway_loaded_rss = mem.rss;
            r.metric_tcp_sockets = gw->metric("sockgate_sockets{kind=\"tcp\"}");
        }
    });
}

UdpLeg run_udp(const BenchEnv& env, PathKind kind) {
    return guarded<UdpLeg>([&](UdpLeg& r) {
        const BenchConfig& c = env.config;
        Leg leg(env, kind, kSmallReadBuffer);
        std::unique_ptr<DatagramExchange> closed_loop, paced;
        leg.path().open_datagram_port([&](DatagramPort* port) {
            DatagramExchange::Plan closed_plan;
            closed_plan.count = c.udp_count;
            closed_plan.payload_bytes = c.udp_payload_bytes;
            closed_plan.window = c.udp_window;
            DatagramExchange::Plan paced_plan = closed_plan;
            paced_plan.count = c.udp_paced_count;
            paced_plan.rate = c.udp_paced_rate;
            paced_plan.tag_base = uint64_t(1) << 40;

            closed_loop = std::make_unique<DatagramExchange>(leg.loop(), *port, closed_plan, [&, port, paced_plan] {
                paced = std::make_unique<DatagramExchange>(leg.loop(), *port, paced_plan, [&] { leg.loop().finish(); });
                paced->start();
            });
            closed_loop->start();
        });
        leg.loop().run();
        note_outcome(r, leg.loop());
        if (closed_loop) r.closed_loop = closed_loop->tally();
        if (paced) r.paced = paced->tally();
        if (GatewayProcess* gw = leg.gateway(); gw && r.ran) {
            const std::string m = gw->metrics();
            r.metric_dropped_to_client =
                testing::metric(m, "sockgate_datagrams_dropped_total{direction=\"to_client\"}");
            r.metric_dropped_from_client =
                testing::metric(m, "sockgate_datagrams_dropped_total{direction=\"from_client\"}");
        }
    });
}

}  // namespace sockgate::bench
