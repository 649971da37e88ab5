// Counters behind /metrics and /healthz. The gateway runs its sessions on one
// io_context thread, so plain integers suffice.
#pragma once

#include <cstdint>
#include <string>

namespace sockgate::gateway {

struct Metrics {
    // gauges
    uint64_t sessions = 0;
    uint64_t tcp_streams = 0;
    uint64_t tcp_listeners = 0;
    uint64_t udp_sockets = 0;
    uint64_t lookups_in_flight = 0;  // name lookups queued or still in getaddrinfo

    // counters
    uint64_t sessions_total = 0;
    uint64_t handshakes_refused = 0;
    uint64_t tcp_connects = 0;
    uint64_t tcp_accepted = 0;          // inbound connections accepted on listeners
    uint64_t bytes_to_client = 0;       // DATA payload bytes, peer -> browser
    uint64_t bytes_from_client = 0;     // DATA payload bytes, browser -> peer
    uint64_t datagrams_to_client = 0;
    uint64_t datagrams_from_client = 0;
    uint64_t datagram_bytes_to_client = 0;
    uint64_t datagram_bytes_from_client = 0;
    uint64_t datagrams_dropped_to_client = 0;
    uint64_t datagrams_dropped_from_client = 0;
    uint64_t denied_by_policy = 0;
    uint64_t protocol_errors = 0;
    uint64_t limit_errors = 0;
    uint64_t lookups_timed_out = 0;

    uint64_t sockets() const { return tcp_streams + tcp_listeners + udp_sockets; }
};

// Prometheus text exposition format (version 0.0.4).
std::string render_prometheus(const Metrics& m);

}  // namespace sockgate::gateway
