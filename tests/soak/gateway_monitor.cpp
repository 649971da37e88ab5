#include "soak/gateway_monitor.hpp"

#include <algorithm>
#include <stdexcept>

namespace sockgate::soak {
namespace {

using namespace std::chrono_literals;
// Often enough to catch a peak that lasts a second.
constexpr auto kInterval = 250ms;

}  // namespace

std::optional<GatewaySample> sample_gateway(const testing::GatewayProcess& gw) {
    const std::string text = gw.metrics();
    if (text.empty()) return std::nullopt;
    using testing::metric;
    GatewaySample s;
    s.open_fds = metric(text, "process_open_fds");
    s.rss_bytes = metric(text, "process_resident_memory_bytes");
    s.sessions = metric(text, "sockgate_sessions");
    s.sockets = metric(text, "sockgate_sockets{kind=\"tcp\"}") + metric(text, "sockgate_sockets{kind=\"listener\"}") +
                metric(text, "sockgate_sockets{kind=\"udp\"}");
    if (s.open_fds < 0 || s.rss_bytes < 0 || s.sessions < 0) return std::nullopt;
    return s;
}

void GatewayMonitor::start() {
    thread_ = std::thread([this] {
        while (!stop_) {
            if (auto s = sample_gateway(gw_)) {
                std::lock_guard<std::mutex> lock(mutex_);
                peak_.open_fds = std::max(peak_.open_fds, s->open_fds);
                peak_.rss_bytes = std::max(peak_.rss_bytes, s->rss_bytes);
                peak_.sessions = std::max(peak_.sessions, s->sessions);
                peak_.sockets = std::max(peak_.sockets, s->sockets);
                ++samples_;
            }
            std::this_thread::sleep_for(kInterval);
        }
    });
}

void GatewayMonitor::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

GatewaySample GatewayMonitor::peak() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return peak_;
}

}  // namespace sockgate::soak
