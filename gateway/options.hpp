// Everything the gateway can be told, from flags and from --config FILE.
#pragma once

#include <cstdint>
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

    // Demo echo peers (TCP and UDP on the same port).
    bool demo = true;
    std::string demo_host = "127.0.0.1";
    uint16_t demo_port = 9007;

    // Policy, as rule strings (see policy.hpp). Empty: the defaults.
    std::vector<std::string> allow;       // PROTO:CIDR:PORTS
    std::vector<std::string> bind_allow;  // CIDR:PORTS
    std::vector<std::string> origins;     // extra allowed Origin values
    std::string token;                    // empty: no token required
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
    uint32_t udp_queue = 256;      // datagrams queued per UDP socket before dropping
    uint32_t max_backlog = 128;
    // A browser that vanished without closing its TCP connection (sleeping
    // laptop, dropped network) is noticed by its missing pong.
    uint32_t ping_interval_ms = 20000;

    bool quiet = false;  // no per-session log lines
};

// Thrown for bad flags or a bad config file; the message is for the user.
struct OptionsError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class ParseOutcome { run, help, version };

// Parses argv (and the --config file it names; flags override the file).
// Throws OptionsError on bad input.
ParseOutcome parse_options(int argc, const char* const argv[], Options& out);
std::string help_text();
// "sockgate 0.1.0": what --version prints.
std::string version_text();

// True for 127.0.0.0/8, ::1, ::ffff:127.x.y.z and "localhost": hosts only this
// machine can reach, which is why they may run without a token.
bool is_loopback_host(const std::string& host);

}  // namespace sockgate::gateway
