#include "gateway/metrics.hpp"

#include "gateway/fd_limit.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace sockgate::gateway {
namespace {

class PromWriter {
public:
    void family(const char* name, const char* type, const char* help) {
        out_ << "# HELP " << name << ' ' << help << '\n' << "# TYPE " << name << ' ' << type << '\n';
    }
    void sample(const char* name, uint64_t value) { out_ << name << ' ' << value << '\n'; }
    void sample(const char* name, const char* label, const char* label_value, uint64_t value) {
        out_ << name << '{' << label << "=\"" << label_value << "\"} " << value << '\n';
    }
    std::string str() const { return out_.str(); }

private:
    std::ostringstream out_;
};

// The process's resident set, from /proc/self/statm (in pages); 0 where
// that is unavailable.
uint64_t resident_memory_bytes() {
    std::ifstream statm("/proc/self/statm");
    uint64_t size_pages = 0, resident_pages = 0;
    if (!(statm >> size_pages >> resident_pages)) return 0;
    return resident_pages * uint64_t(sysconf(_SC_PAGESIZE));
}

}  // namespace

std::string render_prometheus(const Metrics& m) {
    PromWriter w;
    w.family("sockgate_sessions", "gauge", "Open browser sessions (WebSockets past the handshake).");
    w.sample("sockgate_sessions", m.sessions);
    w.family("sockgate_sessions_total", "counter", "Browser sessions opened since start.");
    w.sample("sockgate_sessions_total", m.sessions_total);
    w.family("sockgate_handshakes_refused_total", "counter",
             "WebSocket handshakes refused (origin, subprotocol, path, session limit).");
    w.sample("sockgate_handshakes_refused_total", m.handshakes_refused);

    w.family("sockgate_connections", "gauge",
             "Browser connections by stage: sessions, or HTTP requests and handshakes in progress.");
    w.sample("sockgate_connections", "stage", "session", m.connections - m.pre_session_connections);
    w.sample("sockgate_connections", "stage", "pre_session", m.pre_session_connections);
    w.family("sockgate_client_addresses", "gauge",
             "Distinct client addresses with a browser connection open; behind a --trust-proxy proxy, the "
             "addresses its headers name.");
    w.sample("sockgate_client_addresses", m.client_addresses);
    w.family("sockgate_forwarded_headers_total", "counter",
             "Requests carrying X-Forwarded-For or X-Real-IP, by outcome: used (from a --trust-proxy peer), "
             "untrusted (from any other peer, ignored), invalid (from a trusted peer, not an address).");
    w.sample("sockgate_forwarded_headers_total", "outcome", "used", m.forwarded_used);
    w.sample("sockgate_forwarded_headers_total", "outcome", "untrusted", m.forwarded_untrusted);
    w.sample("sockgate_forwarded_headers_total", "outcome", "invalid", m.forwarded_invalid);
    w.family("sockgate_connections_refused_total", "counter",
             "Connections answered 503 before HTTP or WebSocket, by reason.");
    w.sample("sockgate_connections_refused_total", "reason", "busy", m.connections_refused_busy);
    w.sample("sockgate_connections_refused_total", "reason", "fds", m.connections_refused_fds);
    w.family("sockgate_sessions_closed_total", "counter",
             "Sessions the gateway closed for their client's behaviour, by reason.");
    w.sample("sockgate_sessions_closed_total", "reason", "no_hello", m.sessions_closed_no_hello);
    w.sample("sockgate_sessions_closed_total", "reason", "not_reading", m.sessions_closed_stalled);
    w.family("sockgate_sessions_paused", "gauge",
             "Sessions whose requests are not read because their browser is not reading replies.");
    w.sample("sockgate_sessions_paused", m.sessions_paused);
    w.family("sockgate_inbox_pauses_total", "counter",
             "Times a session's WebSocket was left unread because the requests it had sent were still "
             "waiting to be handled.");
    w.sample("sockgate_inbox_pauses_total", m.inbox_pauses);
    w.family("sockgate_throttled_total", "counter",
             "Times a session waited for its rate limit: TCP streams for --rate-bytes, by direction, and "
             "connects for --rate-connects.");
    w.sample("sockgate_throttled_total", "what", "bytes_to_client", m.throttled_to_client);
    w.sample("sockgate_throttled_total", "what", "bytes_from_client", m.throttled_from_client);
    w.sample("sockgate_throttled_total", "what", "connects", m.throttled_connects);
    w.family("sockgate_tcp_connecting", "gauge", "Outbound TCP connects in progress.");
    w.sample("sockgate_tcp_connecting", m.tcp_connecting);

    w.family("sockgate_sockets", "gauge", "Sockets open on behalf of sessions, by kind.");
    w.sample("sockgate_sockets", "kind", "tcp", m.tcp_streams);
    w.sample("sockgate_sockets", "kind", "listener", m.tcp_listeners);
    w.sample("sockgate_sockets", "kind", "udp", m.udp_sockets);

    w.family("sockgate_tcp_connects_total", "counter", "Outbound TCP connections established.");
    w.sample("sockgate_tcp_connects_total", m.tcp_connects);
    w.family("sockgate_tcp_accepted_total", "counter", "Inbound TCP connections accepted on listeners.");
    w.sample("sockgate_tcp_accepted_total", m.tcp_accepted);

    w.family("sockgate_bytes_relayed_total", "counter", "TCP stream bytes relayed, by direction.");
    w.sample("sockgate_bytes_relayed_total", "direction", "to_client", m.bytes_to_client);
    w.sample("sockgate_bytes_relayed_total", "direction", "from_client", m.bytes_from_client);
    w.family("sockgate_datagrams_relayed_total", "counter", "UDP datagrams relayed, by direction.");
    w.sample("sockgate_datagrams_relayed_total", "direction", "to_client", m.datagrams_to_client);
    w.sample("sockgate_datagrams_relayed_total", "direction", "from_client", m.datagrams_from_client);
    w.family("sockgate_datagram_bytes_relayed_total", "counter", "UDP payload bytes relayed, by direction.");
    w.sample("sockgate_datagram_bytes_relayed_total", "direction", "to_client", m.datagram_bytes_to_client);
    w.sample("sockgate_datagram_bytes_relayed_total", "direction", "from_client", m.datagram_bytes_from_client);
    w.family("sockgate_datagrams_dropped_total", "counter",
             "UDP datagrams dropped because a queue was full, by direction.");
    w.sample("sockgate_datagrams_dropped_total", "direction", "to_client", m.datagrams_dropped_to_client);
    w.sample("sockgate_datagrams_dropped_total", "direction", "from_client", m.datagrams_dropped_from_client);

    w.family("sockgate_denied_total", "counter", "Requests and datagrams denied by the access policy.");
    w.sample("sockgate_denied_total", m.denied_by_policy);
    w.family("sockgate_protocol_errors_total", "counter", "Malformed or invalid messages from clients.");
    w.sample("sockgate_protocol_errors_total", m.protocol_errors);
    w.family("sockgate_limit_errors_total", "counter", "Requests refused because a limit was reached.");
    w.sample("sockgate_limit_errors_total", m.limit_errors);
    w.family("sockgate_http_file_responses", "gauge", "Static file responses being sent.");
    w.sample("sockgate_http_file_responses", m.http_file_responses);
    w.family("sockgate_http_file_responses_total", "counter", "Static file responses started.");
    w.sample("sockgate_http_file_responses_total", m.http_file_responses_total);
    w.family("sockgate_http_send_timeouts_total", "counter",
             "HTTP responses abandoned because the client read nothing for the send timeout.");
    w.sample("sockgate_http_send_timeouts_total", m.http_send_timeouts);
    w.family("sockgate_lookups_in_flight", "gauge",
             "Name lookups queued or running, including timed-out ones still holding a worker.");
    w.sample("sockgate_lookups_in_flight", m.lookups_in_flight);
    w.family("sockgate_lookups_timed_out_total", "counter", "Name lookups answered ETIMEDOUT at their deadline.");
    w.sample("sockgate_lookups_timed_out_total", m.lookups_timed_out);

    // The name Prometheus client libraries use, so existing dashboards work.
    w.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    w.sample("process_resident_memory_bytes", resident_memory_bytes());
    w.family("process_open_fds", "gauge", "Number of open file descriptors.");
    w.sample("process_open_fds", count_open_fds());
    w.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    w.sample("process_max_fds", m.fd_limit);
    return w.str();
}

}  // namespace sockgate::gateway
