// `sockgate --healthcheck`: asks a running gateway for /healthz. The
// container image runs it as its HEALTHCHECK, because the runtime image
// carries no curl or wget.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace sockgate::gateway {

// The address to ask for a gateway listening on `listen_host`: a wildcard
// address is reached on the same family's loopback.
std::string healthcheck_host(const std::string& listen_host);

// GET /healthz from host:port. True when it answered 200 with status "ok"
// within `timeout`; otherwise false, with the reason written to `why`.
bool check_health(const std::string& host, uint16_t port, std::chrono::milliseconds timeout, std::ostream& why);

}  // namespace sockgate::gateway
