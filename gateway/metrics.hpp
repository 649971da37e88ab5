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
    uint64_t tcp_connecting = 0;           // outbound connects in progress, each holding a socket
    uint64_t connections = 0;              // browser connections, sessions and not
    uint64_t pre_session_connections = 0;  // of those, HTTP requests and handshakes in progress
    uint64_t sessions_paused = 0;          // sessions not read because their browser is not reading
    uint64_t refusing = 0;                 // connections being answered 503
    uint64_t client_addresses = 0;         // distinct client addresses among `connections`

    // Set at start-up: the descriptor limit, and what was open before any
    // connection, so fds_in_use() can tell how close the limit is without a
    // system call.
    uint64_t fd_limit = UINT64_MAX;
    uint64_t fd_base = 0;
    uint64_t http_file_responses = 0;  // static file bodies being sent
    uint64_t lookups_in_flight = 0;    // name lookups queued or still in getaddrinfo

    // counters
    uint64_t sessions_total = 0;
    uint64_t handshakes_refused = 0;
    uint64_t tcp_connects = 0;
    uint64_t tcp_accepted = 0;       // inbound connections accepted on listeners
    uint64_t bytes_to_client = 0;    // DATA payload bytes, peer -> browser
    uint64_t bytes_from_client = 0;  // DATA payload bytes, browser -> peer
    uint64_t datagrams_to_client = 0;
    uint64_t datagrams_from_client = 0;
    uint64_t datagram_bytes_to_client = 0;
    uint64_t datagram_bytes_from_client = 0;
    uint64_t datagrams_dropped_to_client = 0;
    uint64_t datagrams_dropped_from_client = 0;
    uint64_t denied_by_policy = 0;
    uint64_t protocol_errors = 0;
    uint64_t limit_errors = 0;
    uint64_t connections_refused_busy = 0;  // over --max-http-connections or the per-address cap
    uint64_t connections_refused_fds = 0;   // out of (or short of) file descriptors
    uint64_t sessions_closed_no_hello = 0;
    uint64_t sessions_closed_stalled = 0;  // over --max-outbound for --outbound-stall-ms
    uint64_t throttled_to_client = 0;      // times a TCP read waited for --rate-bytes
    uint64_t throttled_from_client = 0;    // times a TCP write waited for --rate-bytes
    uint64_t throttled_connects = 0;       // TCP connects that waited for --rate-connects
    uint64_t http_file_responses_total = 0;
    uint64_t http_send_timeouts = 0;  // HTTP responses dropped because the client stopped reading
    uint64_t lookups_timed_out = 0;
    uint64_t inbox_pauses = 0;  // times a session's reads stopped because its inbox was full
    // X-Forwarded-For / X-Real-IP: believed from a --trust-proxy peer,
    // ignored from any other, unusable from a trusted one.
    uint64_t forwarded_used = 0;
    uint64_t forwarded_untrusted = 0;
    uint64_t forwarded_invalid = 0;

    uint64_t sockets() const { return tcp_streams + tcp_listeners + udp_sockets; }
    uint64_t fds_in_use() const { return fd_base + connections + refusing + sockets() + tcp_connecting; }
};

// Prometheus text exposition format (version 0.0.4).
std::string render_prometheus(const Metrics& m);

}  // namespace sockgate::gateway
