// What the gateway says about itself over plain HTTP: /api/info for the
// page (what it allows, its limits, where the demo services are) and
// /healthz for probes. JSON only; the routes are in http_routes.hpp.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>

#include "gateway/metrics.hpp"
#include "gateway/options.hpp"
#include "gateway/policy.hpp"

namespace sockgate::gateway {

// `demo_port` is 0 when the demo echo services are not running.
nlohmann::json api_info(const Options& options, const Policy& policy, uint16_t demo_port);
nlohmann::json health(const Metrics& metrics);

}  // namespace sockgate::gateway
