// Everything the gateway can be told, from flags and from --config FILE.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace sockgate::gateway {

struct Options {
    // Where the gateway serves HTTP and /ws. Port 0 picks a free port.
    std::string listen_host = "127.0.0.1";
    uint16_t listen_port = 8080;
    // Static files served at "/". Empty: the built web/ output next to the binary.
    std::string web_root;
    // Serve https:// and wss:// instead: a PEM certificate chain (leaf
    // first) and its PEM private key. Both or neither.
    std::string tls_cert;
    std::string tls_key;

    // Demo echo peers (TCP and UDP on the same port).
    bool demo = true;
    std::string demo_host = "127.0.0.1";
    uint16_t demo_port = 9007;

    // Policy, as rule strings (see policy.hpp). Empty: the defaults.
    std::vector<std::string> allow;        // PROTO:CIDR:PORTS
    std::vector<std::string> bind_allow;   // CIDR:PORTS
    std::vector<std::string> origins;      // extra allowed Origin values
    std::vector<std::string> trust_proxy;  // CIDRs of reverse proxies whose X-Forwarded-For is believed
    std::string token;                     // empty: no token required
    bool insecure_no_auth = false;

    // Limits.
    uint32_t max_sessions = 256;
    uint32_t max_sockets = 64;     // per session, listeners and UDP included
    uint32_t max_listeners = 8;    // per session
    uint32_t max_frame = 1 << 20;  // largest WebSocket message either way, bytes
    uint32_t window = 256 * 1024;  // initial flow-control credit per TCP socket and direction
    // A stream that keeps its whole window busy may grow it up to this, per
    // direction; raised to `window` if below it.
    uint32_t max_window = 4 * 1024 * 1024;
    uint32_t connect_timeout_ms = 10000;
    // Name lookups: a pool of worker threads shared by all sessions, a cap
    // per session below the pool's size so no one session can occupy it,
    // and the deadline of a resolve op (a connect's is its timeout).
    uint32_t lookup_threads = 8;
    uint32_t max_lookups = 4;
    uint32_t resolve_timeout_ms = 5000;
    uint32_t udp_queue = 256;  // datagrams queued per UDP socket before dropping
    uint32_t max_backlog = 128;
    // A browser that vanished without closing its TCP connection (sleeping
    // laptop, dropped network) is noticed by its missing pong.
    uint32_t ping_interval_ms = 20000;
    // A WebSocket that has not sent a valid hello by then holds a session
    // slot for nothing; it is closed.
    uint32_t hello_timeout_ms = 5000;
    // Bytes a session may have waiting to go out to its browser before the
    // gateway stops reading that browser's requests; a session that stays
    // over it without draining for outbound_stall_ms is closed.
    uint64_t max_outbound = 16 * 1024 * 1024;
    uint32_t outbound_stall_ms = 30000;
    // Connections that are not (yet) sessions: HTTP requests and WebSocket
    // handshakes in progress, in all and per client address.
    uint32_t max_http_connections = 128;
    uint32_t max_connections_per_address = 64;
    // Per session, 0 for none: relayed bytes a second in each direction
    // (TCP is slowed, UDP dropped past it).
    uint64_t rate_bytes = 0;
    uint32_t rate_connects = 0;  // TCP connects a second per session; 0: no limit
    // An HTTP response whose client takes nothing for this long is dropped,
    // with what it held (0: never).
    uint32_t http_send_timeout_ms = 30000;

    bool quiet = false;  // no per-session log lines

    // Names of the options set by a flag or the config file, so start-up can
    // tell a chosen limit (which it must honour) from a default (which it
    // may size to the machine).
    std::set<std::string> given;
    // The config file, re-read on SIGHUP. Empty: none.
    std::string config_file;
};

// Thrown for bad flags or a bad config file; the message is for the user.
struct OptionsError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// healthcheck: --healthcheck was given; `out` says which gateway to ask.
enum class ParseOutcome { run, help, version, healthcheck };

// Looks up an environment variable by name; nullptr when it is not set.
using Environment = std::function<const char*(const std::string& name)>;
// The process's own environment (getenv).
Environment process_environment();

// Every option can also come from the environment as SOCKGATE_<NAME>, the
// flag's name in upper case with '_' for '-' (SOCKGATE_MAX_SOCKETS), and
// SOCKGATE_CONFIG names a config file. Precedence, highest first: the
// command line, the environment, the --config file, the defaults.
std::string environment_name(const std::string& flag_name);

// Parses argv, the SOCKGATE_* variables of `env` and the config file named
// by either. Throws OptionsError on bad input.
ParseOutcome parse_options(int argc, const char* const argv[], Options& out, const Environment& env);
// The same with the process environment.
ParseOutcome parse_options(int argc, const char* const argv[], Options& out);
// Applies the text of a --config file (a JSON object) to `out` as
// parse_options does before the flags; `file` names it in messages. Throws
// OptionsError; `out` changes only when everything parsed.
void apply_config_text(const std::string& text, const std::string& file, Options& out);
std::string help_text();
// "sockgate 0.1.0": what --version prints.
std::string version_text();

// True for 127.0.0.0/8, ::1, ::ffff:127.x.y.z and "localhost": hosts only this
// machine can reach, which is why they may run without a token.
bool is_loopback_host(const std::string& host);

}  // namespace sockgate::gateway
