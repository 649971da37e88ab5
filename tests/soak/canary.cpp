#include "soak/canary.hpp"

#include <algorithm>

#include "soak/payload.hpp"
#include "support/blocking_client.hpp"

namespace sockgate::soak {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Small messages, like an interactive user's; spaced so the canary itself
// adds no load worth mentioning.
constexpr size_t kMessage = 64;
constexpr auto kSpacing = 10ms;
constexpr auto kRoundTripTimeout = 10s;

double percentile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    const size_t k = std::min(v.size() - 1, size_t(q * double(v.size())));
    std::nth_element(v.begin(), v.begin() + long(k), v.end());
    return v[k];
}

}  // namespace

const char* to_string(Phase p) {
    switch (p) {
        case Phase::quiet:
            return "quiet";
        case Phase::hostile:
            return "hostile";
        case Phase::churn:
            return "churn";
        case Phase::count_:
            break;
    }
    return "?";
}

Canary::Canary(Tally& tally, std::string ws_url, uint16_t demo_port)
    : tally_(tally), url_(std::move(ws_url)), demo_port_(demo_port) {}

Canary::~Canary() { stop(); }

bool Canary::start() {
    thread_ = std::thread([this] { run(); });
    while (!ready_ && !stop_) std::this_thread::sleep_for(10ms);
    return ready_;
}

void Canary::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

void Canary::run() {
    client::BlockingClient c;
    auto hello = c.start(url_);
    if (!hello) {
        tally_.fail("canary", "open session: " + hello.describe());
        stop_ = true;
        return;
    }
    auto s = c.connect("127.0.0.1", demo_port_);
    if (!s) {
        tally_.fail("canary", "connect to the demo peer: " + s.describe());
        stop_ = true;
        return;
    }
    ready_ = true;
    uint64_t round = 0;
    while (!stop_) {
        const std::string message = payload_bytes(kMessage, ++round);
        const Phase phase = phase_;
        const auto t0 = Clock::now();
        auto sent = c.send(s->sock, message);
        auto back =
            sent ? c.read_exactly(s->sock, kMessage, kRoundTripTimeout) : client::Result<std::string>(sent.error());
        const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
        if (!back || *back != message) {
            tally_.fail("canary round trip " + std::to_string(round),
                        back ? std::string("echo differs") : back.describe());
            return;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            samples_[size_t(phase)].push_back(us);
        }
        std::this_thread::sleep_for(kSpacing);
    }
    c.close(s->sock);
    c.close_session();
}

LatencySummary Canary::summary(Phase p) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto& v = samples_[size_t(p)];
    LatencySummary s;
    s.samples = v.size();
    if (v.empty()) return s;
    s.p50_us = percentile(v, 0.50);
    s.p99_us = percentile(v, 0.99);
    s.max_us = *std::max_element(v.begin(), v.end());
    return s;
}

}  // namespace sockgate::soak
