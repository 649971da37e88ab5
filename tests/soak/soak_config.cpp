#include "soak/soak_config.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace sockgate::soak {
namespace {

const char* kUsage =
    "usage: sockgate-soak [--minutes M | --seconds S] [--seed N] [--sessions N] [--sockets N]\n"
    "                     [--op-timeout-ms N] [--max-rss-mib N] [--latency-ratio R] [--json FILE]\n"
    "                     [--hold-gateway-s N] [--hostile NAME,NAME... | none]\n"
    "Runs a gateway on loopback and churns sessions and sockets through it (docs/SOAK.md).\n";

bool number(const char* text, double& out) {
    char* end = nullptr;
    out = std::strtod(text, &end);
    return end && *end == '\0' && end != text;
}

}  // namespace

std::optional<SoakConfig> parse_config(int argc, char** argv, int& exit_code) {
    SoakConfig c;
    exit_code = 2;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            std::fputs(kUsage, stdout);
            exit_code = 0;
            return std::nullopt;
        }
        double v = 0;
        if (i + 1 >= argc) {
            std::fprintf(stderr, "sockgate-soak: %s needs a value\n%s", flag.c_str(), kUsage);
            return std::nullopt;
        }
        const char* value = argv[++i];
        if (flag == "--json") {
            c.json_out = value;
            continue;
        }
        if (flag == "--hostile") {
            // Comma-separated names; "none" for no hostile client at all.
            std::string list = value;
            size_t at = 0;
            while (at <= list.size()) {
                const size_t comma = std::min(list.find(',', at), list.size());
                if (comma > at) c.hostile.push_back(list.substr(at, comma - at));
                at = comma + 1;
            }
            continue;
        }
        if (!number(value, v) || v < 0) {
            std::fprintf(stderr, "sockgate-soak: %s: not a number: %s\n", flag.c_str(), value);
            return std::nullopt;
        }
        if (flag == "--minutes")
            c.duration = std::chrono::seconds(int64_t(v * 60));
        else if (flag == "--seconds")
            c.duration = std::chrono::seconds(int64_t(v));
        else if (flag == "--seed")
            c.seed = std::strtoull(value, nullptr, 10);
        else if (flag == "--sessions")
            c.sessions = int(v);
        else if (flag == "--sockets")
            c.sockets_per_session = int(v);
        else if (flag == "--op-timeout-ms")
            c.op_timeout = Ms(int64_t(v));
        else if (flag == "--max-rss-mib")
            c.max_rss_bytes = uint64_t(v) << 20;
        else if (flag == "--latency-ratio")
            c.max_latency_ratio = v;
        else if (flag == "--hold-gateway-s")
            c.hold_gateway = std::chrono::seconds(int64_t(v));
        else {
            std::fprintf(stderr, "sockgate-soak: unknown flag %s\n%s", flag.c_str(), kUsage);
            return std::nullopt;
        }
    }
    if (c.sessions < 1 || c.sockets_per_session < 4) {
        std::fprintf(stderr, "sockgate-soak: need at least 1 session and 4 sockets per session\n");
        return std::nullopt;
    }
    exit_code = 0;
    return c;
}

}  // namespace sockgate::soak
