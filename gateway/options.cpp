#include "gateway/options.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "gateway/policy.hpp"
#include "protocol/address.hpp"

#ifndef SOCKGATE_VERSION
#define SOCKGATE_VERSION "0.0.0"
#endif

namespace sockgate::gateway {

using nlohmann::json;

namespace {

// ---- limits that are not obvious ----

// A DATAGRAM frame carries at most 24 header bytes and a 65535-byte UDP
// payload, so every max_frame at or above 64 KiB + 64 can carry any datagram.
constexpr uint64_t kMinMaxFrame = 65536 + 64;
constexpr uint64_t kMaxMaxFrame = uint64_t(1) << 30;  // 1 GiB: beyond that a typo, not a setting
// Flow-control credit is a u32 on the wire; 2^31 keeps sums of two windows in range.
constexpr uint64_t kMaxWindow = uint64_t(1) << 31;

// ---- one value, from the command line, the environment or the config file ----

struct Value {
    std::string where;                  // "--max-sockets", "SOCKGATE_MAX_SOCKETS" or "config key 'max_sockets'"
    const std::string* text = nullptr;  // set for command-line and environment values
    const json* j = nullptr;            // set for config-file values
    bool environment = false;           // text came from an environment variable
};

[[noreturn]] void bad(const Value& v, const std::string& what) { throw OptionsError(v.where + ": " + what); }

std::string as_string(const Value& v) {
    if (v.j && !v.j->is_string()) bad(v, "must be a string");
    std::string s = v.text ? *v.text : v.j->get<std::string>();
    if (s.empty()) bad(v, "must not be empty");
    return s;
}

std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// A switch is true by being on the command line; in a config file it is a
// JSON bool; in the environment it is spelled out, since a variable that is
// set cannot also be absent (SOCKGATE_QUIET=false must not mean quiet).
bool as_switch(const Value& v) {
    if (v.environment) {
        const std::string t = lowercase(*v.text);
        if (t == "1" || t == "true" || t == "yes" || t == "on") return true;
        if (t == "0" || t == "false" || t == "no" || t == "off") return false;
        bad(v, "'" + *v.text + "' is not true or false (or 1 or 0)");
    }
    if (v.text) return true;
    if (!v.j->is_boolean()) bad(v, "must be true or false");
    return v.j->get<bool>();
}

uint64_t parse_decimal(const Value& v, const std::string& text, uint64_t lo, uint64_t hi) {
    const std::string range = "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
    uint64_t n = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, n);
    const bool all_digits = !text.empty() && std::isdigit(static_cast<unsigned char>(text[0]));
    if (!all_digits || ptr != end || ec == std::errc::invalid_argument) bad(v, "'" + text + "' is not " + range);
    if (ec == std::errc::result_out_of_range || n < lo || n > hi) bad(v, text + " is out of range; give " + range);
    return n;
}

uint64_t as_number(const Value& v, uint64_t lo, uint64_t hi) {
    if (v.text) return parse_decimal(v, *v.text, lo, hi);
    const std::string range = "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (!v.j->is_number_integer()) bad(v, "must be " + range);
    const bool negative = !v.j->is_number_unsigned() && v.j->get<int64_t>() < 0;
    if (negative) bad(v, v.j->dump() + " is out of range; give " + range);
    return parse_decimal(v, v.j->dump(), lo, hi);
}

// A repeatable flag gives one item per occurrence; a config file gives a list
// (or, for convenience, one string); an environment variable gives items
// separated by spaces or commas, which no rule or origin contains.
std::vector<std::string> as_list(const Value& v) {
    if (v.environment) {
        std::vector<std::string> items;
        std::string item;
        for (char c : *v.text + " ") {
            if (c != ',' && !std::isspace(static_cast<unsigned char>(c))) {
                item += c;
            } else if (!item.empty()) {
                items.push_back(item);
                item.clear();
            }
        }
        if (items.empty()) bad(v, "must hold at least one item (separate items with spaces or commas)");
        return items;
    }
    if (v.text || v.j->is_string()) return {as_string(v)};
    if (!v.j->is_array()) bad(v, "must be a list of strings");
    std::vector<std::string> items;
    for (const auto& item : *v.j) {
        if (!item.is_string() || item.get<std::string>().empty()) bad(v, "must be a list of non-empty strings");
        items.push_back(item.get<std::string>());
    }
    return items;
}

// ---- hosts ----

std::string strip_brackets(const std::string& host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
    return host;
}

bool is_host_name(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '-' || c == '_';
    });
}

// A numeric address or a name; IPv6 may come bracketed. Returns it unbracketed.
std::string as_host(const Value& v) {
    const std::string host = strip_brackets(as_string(v));
    if (!proto::IpAddress::parse(host) && !is_host_name(host))
        bad(v, "'" + host + "' is not a host name or IP address");
    return host;
}

struct HostPort {
    std::string host;
    uint16_t port = 0;
};

// "127.0.0.1:8080", "localhost:0", "[::1]:8080".
HostPort as_host_port(const Value& v) {
    const std::string text = as_string(v);
    const std::string example = " (e.g. 127.0.0.1:8080 or [::1]:8080)";
    std::string host;
    std::string port_text;
    if (text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos || text.compare(close + 1, 1, ":") != 0)
            bad(v, "'" + text + "' is not [IPv6]:PORT" + example);
        host = text.substr(1, close - 1);
        port_text = text.substr(close + 2);
        if (!proto::IpAddress::parse(host)) bad(v, "'" + host + "' is not an IPv6 address");
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string::npos) bad(v, "'" + text + "' has no port; expected HOST:PORT" + example);
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
        if (host.find(':') != std::string::npos) bad(v, "IPv6 addresses need brackets" + example);
        if (host.empty()) bad(v, "'" + text + "' has no host" + example);
        if (!proto::IpAddress::parse(host) && !is_host_name(host))
            bad(v, "'" + host + "' is not a host name or IP address");
    }
    return HostPort{host, uint16_t(parse_decimal(v, port_text, 0, 65535))};
}

std::string host_port_text(const std::string& host, uint16_t port) {
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// ---- rules ----

// Policy syntax is checked now so a typo stops startup, not the first connect.
// The canonical form is kept, so logs show what the rule really means.
std::string checked_allow_rule(const Value& v, const std::string& rule) {
    try {
        return parse_allow_rule(rule).text;
    } catch (const PolicyError& e) {
        bad(v, e.what());
    }
}

std::string checked_bind_rule(const Value& v, const std::string& rule) {
    try {
        return parse_bind_rule(rule).text;
    } catch (const PolicyError& e) {
        bad(v, e.what());
    }
}

std::string checked_trusted_proxy(const Value& v, const std::string& cidr) {
    try {
        return parse_cidr_rule(cidr, "trust-proxy").to_string();
    } catch (const PolicyError& e) {
        bad(v, e.what());
    }
}

// ---- the flag table ----

enum class Scope { both, command_line_only, config_only };

struct Flag {
    const char* section;
    const char* name;        // without dashes; config keys may use '_' for '-'
    const char* value_name;  // nullptr for switches
    const char* description;
    std::string (*default_text)(const Options&);  // nullptr: nothing to show
    void (*apply)(Options&, const Value&);
    std::vector<std::string> Options::*list = nullptr;  // repeatable flags
    Scope scope = Scope::both;
};

std::string number_text(uint64_t n) { return std::to_string(n); }

const std::vector<Flag>& flags() {
    using O = Options;
    static const std::vector<Flag> table = {
        {"Serving", "listen", "HOST:PORT", "Serve the page and /ws here; IPv6 as [::1]:8080; port 0 picks a free port.",
         [](const O& o) { return host_port_text(o.listen_host, o.listen_port); },
         [](O& o, const Value& v) {
             auto hp = as_host_port(v);
             o.listen_host = hp.host;
             o.listen_port = hp.port;
         }},
        {"Serving", "web-root", "DIR", "Directory of static files served at /.",
         [](const O& o) { return o.web_root.empty() ? std::string("web/ next to the sockgate binary") : o.web_root; },
         [](O& o, const Value& v) { o.web_root = as_string(v); }},
        {"Serving", "tls-cert", "FILE",
         "Serve https:// and wss:// on the same port with this PEM certificate chain (leaf first); needs "
         "--tls-key. Reloaded on SIGHUP.",
         [](const O&) { return std::string("none: plain http:// and ws://"); },
         [](O& o, const Value& v) { o.tls_cert = as_string(v); }},
        {"Serving", "tls-key", "FILE", "The PEM private key of --tls-cert.", nullptr,
         [](O& o, const Value& v) { o.tls_key = as_string(v); }},
        {"Serving", "origin", "ORIGIN",
         "Also accept WebSocket connections from this Origin (repeatable), e.g. http://localhost:3000.",
         [](const O&) { return std::string("only the gateway's own origin"); },
         [](O& o, const Value& v) {
             for (auto& origin : as_list(v)) o.origins.push_back(origin);
         },
         &O::origins},
        {"Serving", "trust-proxy", "CIDR",
         "Connections from these addresses are a reverse proxy's (repeatable): the client's address is "
         "taken from their X-Forwarded-For or X-Real-IP header for logs, per-address limits and metrics. "
         "From anyone else those headers are ignored.",
         [](const O&) { return std::string("none: the client is the TCP peer"); },
         [](O& o, const Value& v) {
             for (auto& cidr : as_list(v)) o.trust_proxy.push_back(checked_trusted_proxy(v, cidr));
         },
         &O::trust_proxy},
        {"Serving", "token", "T", "Require this token in the client's hello message.",
         [](const O&) { return std::string("none"); }, [](O& o, const Value& v) { o.token = as_string(v); }},
        {"Serving", "insecure-no-auth", nullptr,
         "Let --listen use a non-loopback address without --token; anyone who can reach it "
         "can then open sockets from this host.",
         nullptr, [](O& o, const Value& v) { o.insecure_no_auth = as_switch(v); }},

        {"Demo", "no-demo", nullptr, "Do not start the demo echo peers.", nullptr,
         [](O& o, const Value& v) { o.demo = !as_switch(v); }},
        {"Demo", "demo", nullptr, "", nullptr, [](O& o, const Value& v) { o.demo = as_switch(v); }, nullptr,
         Scope::config_only},
        {"Demo", "demo-host", "H", "Address of the demo TCP and UDP echo peers.",
         [](const O& o) { return o.demo_host; }, [](O& o, const Value& v) { o.demo_host = as_host(v); }},
        {"Demo", "demo-port", "N", "Port of the demo echo peers (TCP and UDP); 0 picks a free port.",
         [](const O& o) { return number_text(o.demo_port); },
         [](O& o, const Value& v) { o.demo_port = uint16_t(as_number(v, 0, 65535)); }},

        {"Policy", "allow", "PROTO:CIDR:PORTS",
         "Let sessions connect/send to these destinations (repeatable; replaces the default), "
         "e.g. tcp:127.0.0.0/8:* or udp:[::1]/128:5000-5100.",
         [](const O&) { return std::string("any:127.0.0.0/8:* and any:::1/128:*"); },
         [](O& o, const Value& v) {
             for (auto& rule : as_list(v)) o.allow.push_back(checked_allow_rule(v, rule));
         },
         &O::allow},
        {"Policy", "bind-allow", "CIDR:PORTS",
         "Let sessions listen/bind on these local addresses and ports (repeatable; replaces the default).",
         [](const O&) { return std::string("127.0.0.0/8:1024-65535 and ::1/128:1024-65535"); },
         [](O& o, const Value& v) {
             for (auto& rule : as_list(v)) o.bind_allow.push_back(checked_bind_rule(v, rule));
         },
         &O::bind_allow},

        {"Limits", "max-sessions", "N", "Concurrent browser sessions.",
         [](const O& o) { return number_text(o.max_sessions); },
         [](O& o, const Value& v) { o.max_sessions = uint32_t(as_number(v, 1, 100000)); }},
        {"Limits", "max-sockets", "N", "Open sockets per session, listeners and UDP included.",
         [](const O& o) { return number_text(o.max_sockets); },
         [](O& o, const Value& v) { o.max_sockets = uint32_t(as_number(v, 1, 65536)); }},
        {"Limits", "max-listeners", "N", "Listening sockets per session; 0 forbids listening.",
         [](const O& o) { return number_text(o.max_listeners); },
         [](O& o, const Value& v) { o.max_listeners = uint32_t(as_number(v, 0, 65536)); }},
        {"Limits", "max-frame", "BYTES", "Largest WebSocket message either way (at least 65600, so any datagram fits).",
         [](const O& o) { return number_text(o.max_frame); },
         [](O& o, const Value& v) { o.max_frame = uint32_t(as_number(v, kMinMaxFrame, kMaxMaxFrame)); }},
        {"Limits", "window", "BYTES", "Initial flow-control credit per TCP socket and direction (1 to 2^31).",
         [](const O& o) { return number_text(o.window); },
         [](O& o, const Value& v) { o.window = uint32_t(as_number(v, 1, kMaxWindow)); }},
        {"Limits", "max-window", "BYTES",
         "Largest window a busy TCP socket may grow to, per direction (1 to 2^31; at least --window).",
         [](const O& o) { return number_text(o.max_window); },
         [](O& o, const Value& v) { o.max_window = uint32_t(as_number(v, 1, kMaxWindow)); }},
        {"Limits", "connect-timeout-ms", "N",
         "Give up on a TCP connect, name lookup included, after this many milliseconds.",
         [](const O& o) { return number_text(o.connect_timeout_ms); },
         [](O& o, const Value& v) { o.connect_timeout_ms = uint32_t(as_number(v, 1, 86400000)); }},
        {"Limits", "resolve-timeout-ms", "N",
         "Answer a resolve op ETIMEDOUT after this many milliseconds (a connect's lookup ends with its timeout).",
         [](const O& o) { return number_text(o.resolve_timeout_ms); },
         [](O& o, const Value& v) { o.resolve_timeout_ms = uint32_t(as_number(v, 1, 300000)); }},
        {"Limits", "max-lookups", "N",
         "Name lookups in flight per session (resolve ops and connects to names); past it, EAGAIN. "
         "A lookup that timed out counts until the system resolver gives up on it.",
         [](const O& o) { return number_text(o.max_lookups); },
         [](O& o, const Value& v) { o.max_lookups = uint32_t(as_number(v, 1, 1024)); }},
        {"Limits", "lookup-threads", "N",
         "Threads running name lookups for all sessions; keep it above --max-lookups so no one session "
         "can occupy them all.",
         [](const O& o) { return number_text(o.lookup_threads); },
         [](O& o, const Value& v) { o.lookup_threads = uint32_t(as_number(v, 1, 256)); }},
        {"Limits", "udp-queue", "N", "Datagrams queued per UDP socket before new ones are dropped.",
         [](const O& o) { return number_text(o.udp_queue); },
         [](O& o, const Value& v) { o.udp_queue = uint32_t(as_number(v, 1, 1000000)); }},
        {"Limits", "ping-interval-ms", "N",
         "Ping every browser this often and drop one that has not answered by the next ping; 0 turns it off.",
         [](const O& o) { return number_text(o.ping_interval_ms); },
         [](O& o, const Value& v) { o.ping_interval_ms = uint32_t(as_number(v, 0, 3600000)); }},
        {"Limits", "hello-timeout-ms", "N",
         "Close a WebSocket that has not completed its hello within this many milliseconds.",
         [](const O& o) { return number_text(o.hello_timeout_ms); },
         [](O& o, const Value& v) { o.hello_timeout_ms = uint32_t(as_number(v, 100, 600000)); }},
        {"Limits", "max-outbound", "BYTES",
         "Bytes a session may have queued for its browser before the gateway stops reading its requests "
         "(at least twice --max-frame).",
         [](const O& o) { return number_text(o.max_outbound); },
         [](O& o, const Value& v) { o.max_outbound = as_number(v, 2 * kMinMaxFrame, uint64_t(1) << 40); }},
        {"Limits", "outbound-stall-ms", "N",
         "Close a session whose browser has not drained its queue below --max-outbound for this long.",
         [](const O& o) { return number_text(o.outbound_stall_ms); },
         [](O& o, const Value& v) { o.outbound_stall_ms = uint32_t(as_number(v, 100, 3600000)); }},
        {"Limits", "max-http-connections", "N",
         "Connections that are not sessions yet (HTTP requests, WebSocket handshakes), in all; more get 503.",
         [](const O& o) { return number_text(o.max_http_connections); },
         [](O& o, const Value& v) { o.max_http_connections = uint32_t(as_number(v, 1, 1000000)); }},
        {"Limits", "max-connections-per-address", "N",
         "Of those, how many one client address may hold at once; more get 503.",
         [](const O& o) { return number_text(o.max_connections_per_address); },
         [](O& o, const Value& v) { o.max_connections_per_address = uint32_t(as_number(v, 1, 1000000)); }},
        {"Limits", "rate-bytes", "BYTES",
         "Relayed bytes a second per session and direction; TCP slows down to it, UDP past it is dropped. "
         "0: no limit.",
         [](const O& o) { return number_text(o.rate_bytes); },
         [](O& o, const Value& v) { o.rate_bytes = as_number(v, 0, uint64_t(1) << 40); }},
        {"Limits", "rate-connects", "N",
         "New TCP connects a second per session (bursts of N); more wait their turn within their timeout, "
         "and one that could not start before its timeout gets EAGAIN. 0: no limit.",
         [](const O& o) { return number_text(o.rate_connects); },
         [](O& o, const Value& v) { o.rate_connects = uint32_t(as_number(v, 0, 1000000)); }},
        {"Limits", "http-send-timeout-ms", "N",
         "Drop an HTTP download whose client has taken nothing for this many milliseconds; 0 never does.",
         [](const O& o) { return number_text(o.http_send_timeout_ms); },
         [](O& o, const Value& v) { o.http_send_timeout_ms = uint32_t(as_number(v, 0, 3600000)); }},
        {"Limits", "max-backlog", "N", "Largest listen backlog a session may ask for.",
         [](const O& o) { return number_text(o.max_backlog); },
         [](O& o, const Value& v) { o.max_backlog = uint32_t(as_number(v, 1, 65535)); }},

        {"Other", "quiet", nullptr, "No per-session log lines.", nullptr,
         [](O& o, const Value& v) { o.quiet = as_switch(v); }},
        // Handled by parse_options itself; listed here for tokenizing and help.
        {"Other", "config", "FILE", "Read options from a JSON object first; flags override it.", nullptr, nullptr,
         nullptr, Scope::command_line_only},
        {"Other", "help", nullptr, "Print this help and exit (also -h).", nullptr, nullptr, nullptr,
         Scope::command_line_only},
        {"Other", "version", nullptr, "Print the version and exit.", nullptr, nullptr, nullptr,
         Scope::command_line_only},
        {"Other", "healthcheck", nullptr,
         "Ask the gateway at --listen for /healthz and exit 0 if it is healthy, 1 if not (for container "
         "health checks, where there is no curl).",
         nullptr, nullptr, nullptr, Scope::command_line_only},
    };
    return table;
}

const Flag* find_flag(const std::string& name) {
    for (const auto& f : flags())
        if (name == f.name) return &f;
    return nullptr;
}

// ---- command line ----

struct CommandLineItem {
    const Flag* flag;
    std::string value;
};

bool looks_like_flag(const char* arg) { return std::strncmp(arg, "--", 2) == 0; }

// Splits argv into flags and values, rejecting unknown flags and missing values.
std::vector<CommandLineItem> tokenize(int argc, const char* const argv[]) {
    std::vector<CommandLineItem> items;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i] ? argv[i] : "";
        if (arg == "-h") {
            items.push_back({find_flag("help"), {}});
            continue;
        }
        if (arg.size() <= 2 || !looks_like_flag(arg.c_str()))
            throw OptionsError("unexpected argument '" + arg + "' (options start with --)");
        const std::string body = arg.substr(2);
        const auto eq = body.find('=');
        const std::string name = body.substr(0, eq);
        const Flag* flag = find_flag(name);
        if (!flag || flag->scope == Scope::config_only) throw OptionsError("unknown option '--" + name + "'");
        const std::string shown = "--" + name;
        if (!flag->value_name) {
            if (eq != std::string::npos) throw OptionsError(shown + " takes no value");
            items.push_back({flag, {}});
        } else if (eq != std::string::npos) {
            items.push_back({flag, body.substr(eq + 1)});
        } else {
            // "--token --quiet" is far more likely a forgotten value than a token.
            if (i + 1 >= argc || !argv[i + 1] || looks_like_flag(argv[i + 1]))
                throw OptionsError(shown + " needs a value (" + flag->value_name + ")");
            items.push_back({flag, argv[++i]});
        }
    }
    return items;
}

// ---- config file ----

json parse_config(const std::string& text, const std::string& file) {
    const std::string where = "--config " + file;
    json config;
    try {
        config = json::parse(text, nullptr, true, /*ignore_comments=*/true);
    } catch (const json::exception& e) {  // parse_error, and out_of_range 406 for a number like 1e400
        throw OptionsError(where + ": not valid JSON: " + e.what());
    }
    if (!config.is_object())
        throw OptionsError(where + ": must hold a JSON object, e.g. {\"listen\": \"127.0.0.1:8080\"}");
    return config;
}

json read_config(const std::string& file) {
    const std::string where = "--config " + file;
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) throw OptionsError(where + ": is a directory, not a JSON file");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw OptionsError(where + ": cannot open: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw OptionsError(where + ": cannot read");
    return parse_config(text.str(), file);
}

void apply_config(const json& config, const std::string& file, Options& out) {
    const std::string where = "--config " + file;
    std::set<std::string> seen;
    for (const auto& [key, value] : config.items()) {
        std::string name = key;
        std::replace(name.begin(), name.end(), '_', '-');
        const Flag* flag = find_flag(name);
        if (!flag) throw OptionsError(where + ": unknown key '" + key + "'");
        if (flag->scope == Scope::command_line_only)
            throw OptionsError(where + ": key '" + key + "' only works on the command line");
        // "demo" and "no-demo" set the same thing, as do "max_frame" and "max-frame".
        if (!seen.insert(name == "demo" ? "no-demo" : name).second)
            throw OptionsError(where + ": key '" + key + "' sets an option that another key already set");
        flag->apply(out, Value{where + ": key '" + key + "'", nullptr, &value});
        out.given.insert(name == "demo" ? "no-demo" : name);
    }
}

// ---- environment ----

// Flags that only make sense on a command line (--help) have no variable;
// --config has one, SOCKGATE_CONFIG, read before the others.
bool has_environment_variable(const Flag& f) {
    return f.scope != Scope::command_line_only || f.name == std::string("config");
}

// Applies every SOCKGATE_<NAME> that is set, over what the config file set.
void apply_environment(const Environment& env, Options& out) {
    std::set<const Flag*> seen;
    for (const auto& flag : flags()) {
        if (!has_environment_variable(flag) || !flag.apply) continue;
        const std::string name = environment_name(flag.name);
        const char* value = env(name);
        if (!value) continue;
        const std::string text = value;
        // SOCKGATE_DEMO and SOCKGATE_NO_DEMO set the same thing.
        const std::string option = flag.name == std::string("demo") ? "no-demo" : flag.name;
        if (!seen.insert(find_flag(option)).second)
            throw OptionsError(name + ": sets an option that another SOCKGATE_ variable already set");
        // A list from the environment replaces the config file's.
        if (flag.list) (out.*(flag.list)).clear();
        flag.apply(out, Value{"environment variable " + name, &text, nullptr, true});
        out.given.insert(option);
    }
}

// ---- whole-options checks ----

void check_authentication(const Options& o) {
    if (is_loopback_host(o.listen_host) || !o.token.empty() || o.insecure_no_auth) return;
    throw OptionsError("--listen " + host_port_text(o.listen_host, o.listen_port) +
                       " is reachable from other machines, and anyone who reaches it could open sockets "
                       "from this host. Give --token T (SOCKGATE_TOKEN) to require a token, or "
                       "--insecure-no-auth (SOCKGATE_INSECURE_NO_AUTH=true) to accept that risk.");
}

}  // namespace

bool is_loopback_host(const std::string& host) {
    const std::string h = lowercase(strip_brackets(host));
    if (h == "localhost" || h == "localhost.") return true;
    const auto addr = proto::IpAddress::parse(h);
    if (!addr) return false;
    static const proto::IpAddress kIpv6Loopback = *proto::IpAddress::parse("::1");
    static const Cidr kMappedLoopback{*proto::IpAddress::parse("127.0.0.0"), 8};
    // Cidr::contains judges ::ffff:127.x.y.z as the IPv4 address it maps.
    return *addr == kIpv6Loopback || kMappedLoopback.contains(*addr);
}

void apply_config_text(const std::string& text, const std::string& file, Options& out) {
    Options result = out;
    apply_config(parse_config(text, file), file, result);
    out = std::move(result);
}

std::string version_text() { return std::string("sockgate ") + SOCKGATE_VERSION; }

std::string environment_name(const std::string& flag_name) {
    std::string name = "SOCKGATE_";
    for (unsigned char c : flag_name) name += c == '-' ? '_' : char(std::toupper(c));
    return name;
}

Environment process_environment() {
    return [](const std::string& name) -> const char* { return std::getenv(name.c_str()); };
}

ParseOutcome parse_options(int argc, const char* const argv[], Options& out) {
    return parse_options(argc, argv, out, process_environment());
}

ParseOutcome parse_options(int argc, const char* const argv[], Options& out, const Environment& env) {
    const auto items = tokenize(argc, argv);
    // --help and --version win even over a broken config file.
    bool healthcheck = false;
    for (const auto& item : items) {
        if (item.flag->name == std::string("help")) return ParseOutcome::help;
        if (item.flag->name == std::string("version")) return ParseOutcome::version;
        if (item.flag->name == std::string("healthcheck")) healthcheck = true;
    }

    Options result = out;  // `out` changes only when everything parsed
    const CommandLineItem* config = nullptr;
    for (const auto& item : items) {
        if (item.flag->name != std::string("config")) continue;
        if (config) throw OptionsError("--config given more than once");
        config = &item;
    }
    // The file is the base the environment and the command line adjust.
    const std::string config_variable = environment_name("config");
    const char* config_from_env = env(config_variable);
    if (config) {
        if (config->value.empty()) throw OptionsError("--config: needs a file name");
        apply_config(read_config(config->value), config->value, result);
        result.config_file = config->value;
    } else if (config_from_env) {
        if (!*config_from_env) throw OptionsError(config_variable + ": needs a file name");
        apply_config(read_config(config_from_env), config_from_env, result);
        result.config_file = config_from_env;
    }
    apply_environment(env, result);

    // A repeatable flag on the command line replaces the config file's list.
    std::set<const Flag*> replaced;
    for (const auto& item : items) {
        if (!item.flag->apply) continue;
        if (item.flag->list && replaced.insert(item.flag).second) (result.*(item.flag->list)).clear();
        item.flag->apply(result, Value{std::string("--") + item.flag->name, &item.value, nullptr});
        result.given.insert(item.flag->name);
    }

    // A health check opens nothing to anyone; it only needs to know where to ask.
    if (!healthcheck) check_authentication(result);
    if (result.tls_cert.empty() != result.tls_key.empty())
        throw OptionsError(result.tls_cert.empty() ? "--tls-key needs --tls-cert (the certificate it belongs to)"
                                                   : "--tls-cert needs --tls-key (the certificate's private key)");
    // A window may only grow; --window alone must not need --max-window too.
    result.max_window = std::max(result.max_window, result.window);
    if (result.max_outbound < 2 * uint64_t(result.max_frame))
        throw OptionsError("--max-outbound " + std::to_string(result.max_outbound) + " is below twice --max-frame (" +
                           std::to_string(2 * uint64_t(result.max_frame)) +
                           "): a single reply could then stall the session");
    out = std::move(result);
    return healthcheck ? ParseOutcome::healthcheck : ParseOutcome::run;
}

namespace {

// Breaks `text` into lines of at most `width` characters at spaces, each
// line after the first indented by `indent` spaces.
std::string wrap(const std::string& text, size_t indent, size_t width) {
    std::istringstream words(text);
    std::string out;
    std::string word;
    size_t column = indent;
    while (words >> word) {
        if (column > indent && column + 1 + word.size() > width) {
            out += "\n" + std::string(indent, ' ');
            column = indent;
        } else if (column > indent) {
            out += ' ';
            ++column;
        }
        out += word;
        column += word.size();
    }
    return out;
}

}  // namespace

std::string help_text() {
    constexpr size_t kColumn = 30;  // where descriptions start
    constexpr size_t kWidth = 80;
    const Options defaults;
    std::ostringstream out;
    out << "Usage: sockgate [OPTIONS]\n\n"
           "Serves the sockgate playground page and relays its TCP and UDP sockets over one\n"
           "WebSocket, to the destinations the policy allows (loopback only by default).\n"
           "Options take a value as '--flag value' or '--flag=value'.\n";
    std::string section;
    for (const auto& f : flags()) {
        if (f.scope == Scope::config_only) continue;
        if (section != f.section) {
            section = f.section;
            out << "\n" << section << ":\n";
        }
        std::string left = std::string("  --") + f.name;
        if (f.value_name) left += std::string(" ") + f.value_name;
        out << left;
        if (left.size() + 2 > kColumn)
            out << "\n" << std::string(kColumn, ' ');
        else
            out << std::string(kColumn - left.size(), ' ');
        out << wrap(f.description, kColumn, kWidth) << "\n";
        if (f.default_text)
            out << std::string(kColumn, ' ') << wrap("Default: " + f.default_text(defaults), kColumn, kWidth) << "\n";
    }
    out << "\nA --config file is a JSON object keyed by the option names without the\n"
           "leading dashes ('-' or '_' inside names); switches take true or false, and\n"
           "repeatable options a list. E.g.\n"
           "  {\"listen\": \"127.0.0.1:8080\", \"allow\": [\"tcp:127.0.0.0/8:*\"],\n"
           "   \"max_sockets\": 10, \"demo\": false}\n"
           "\nEvery option is also an environment variable: SOCKGATE_ and its name in\n"
           "upper case with '_' for '-', e.g. SOCKGATE_TOKEN, SOCKGATE_MAX_SOCKETS=10,\n"
           "SOCKGATE_CONFIG=FILE. Switches take true or false (or 1 or 0), repeatable\n"
           "options items separated by spaces or commas, e.g.\n"
           "  SOCKGATE_ALLOW=\"tcp:127.0.0.0/8:* udp:127.0.0.1/32:5000-5100\"\n"
           "The command line wins over the environment, the environment over the\n"
           "--config file, and the file over the defaults.\n";
    return out.str();
}

}  // namespace sockgate::gateway
