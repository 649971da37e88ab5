#include "gateway/gateway_info.hpp"

#include <sstream>
#include <string>

#include "protocol/messages.hpp"

namespace sockgate::gateway {

// What the page shows a newcomer: what this gateway allows, in rules and in
// plain words, its limits, and where the demo services are.
nlohmann::json api_info(const Options& options, const Policy& policy, uint16_t demo_port) {
    nlohmann::json allow = nlohmann::json::array(), bind = nlohmann::json::array();
    for (const auto& r : policy.allow_rules()) allow.push_back(r.text);
    for (const auto& r : policy.bind_rules()) bind.push_back(r.text);
    nlohmann::json summary = nlohmann::json::array();
    std::string line;
    std::istringstream lines(policy.describe());
    while (std::getline(lines, line))
        if (!line.empty()) summary.push_back(line);
    nlohmann::json demo = nullptr;
    if (demo_port != 0) demo = {{"host", options.demo_host}, {"port", demo_port}};
    return {{"version", SOCKGATE_VERSION},
            {"server", std::string("sockgate/") + SOCKGATE_VERSION},
            {"protocol", proto::kSubprotocol},
            {"token_required", !options.token.empty()},
            {"demo", demo},
            {"policy", {{"allow", allow}, {"bind_allow", bind}, {"summary", summary}}},
            {"limits",
             {{"sessions", options.max_sessions},
              {"sockets", options.max_sockets},
              {"listeners", options.max_listeners},
              {"max_frame", options.max_frame},
              {"window", options.window},
              {"max_window", options.max_window},
              {"connect_timeout_ms", options.connect_timeout_ms},
              {"udp_queue", options.udp_queue}}}};
}

nlohmann::json health(const Metrics& metrics) {
    return {{"status", "ok"},
            {"version", SOCKGATE_VERSION},
            {"sessions", metrics.sessions},
            {"sockets", metrics.sockets()},
            {"connecting", metrics.tcp_connecting},
            {"connections", metrics.pre_session_connections}};
}

}  // namespace sockgate::gateway
