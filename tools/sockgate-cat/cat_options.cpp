#include "tools/sockgate-cat/cat_options.hpp"

#include <cstdlib>
#include <vector>

namespace sockgate::client::cat {

namespace {

uint16_t parse_port(const std::string& text, bool zero_ok) {
    char* end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || v < (zero_ok ? 0 : 1) || v > 65535) throw UsageError("bad port '" + text + "'");
    return uint16_t(v);
}

std::chrono::milliseconds parse_ms(const std::string& flag, const std::string& text) {
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || v < 0) throw UsageError(flag + " needs a number of milliseconds");
    return std::chrono::milliseconds(v);
}

}  // namespace

std::string cat_usage() {
    return "usage: sockgate-cat [options] URL tcp HOST PORT\n"
           "       sockgate-cat [options] URL udp HOST PORT\n"
           "       sockgate-cat [options] URL listen [HOST] PORT\n"
           "\n"
           "netcat through a sockgate gateway: URL is the gateway's WebSocket,\n"
           "e.g. ws://127.0.0.1:8080/ws.\n"
           "\n"
           "  tcp     connect to HOST:PORT; stdin goes to the socket, the socket to\n"
           "          stdout. End of stdin half-closes the connection; sockgate-cat\n"
           "          exits once both directions are done.\n"
           "  udp     send each stdin line as one datagram to HOST:PORT and print\n"
           "          each datagram received, one per line.\n"
           "  listen  listen on [HOST:]PORT (PORT 0: any free port), print the bound\n"
           "          address to stderr, accept one connection and relay it like tcp.\n"
           "\n"
           "options:\n"
           "  --token T        token for the gateway's hello\n"
           "  --origin O       send Origin: O with the WebSocket handshake\n"
           "  --timeout-ms N   limit for opening the WebSocket and each request (10000)\n"
           "  --linger-ms N    udp: wait this long for replies after stdin ends (1000)\n"
           "  -v, --verbose    report addresses and protocol events on stderr\n"
           "  -h, --help       show this help\n"
           "\n"
           "Exit status: 0 when all went well, 1 on errors (refused connection,\n"
           "gateway refusal, ...), 2 for a bad command line.\n";
}

ParseOutcome parse_cat_options(int argc, const char* const argv[], CatOptions& out) {
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") return ParseOutcome::help;
        if (arg == "-v" || arg == "--verbose") {
            out.verbose = true;
            continue;
        }
        if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
            std::string value;
            const auto eq = arg.find('=');
            if (eq != std::string::npos) {
                value = arg.substr(eq + 1);
                arg.resize(eq);
            } else if (arg == "--token" || arg == "--origin" || arg == "--timeout-ms" || arg == "--linger-ms") {
                if (i + 1 >= argc) throw UsageError(arg + " needs a value");
                value = argv[++i];
            }
            if (arg == "--token")
                out.token = value;
            else if (arg == "--origin")
                out.origin = value;
            else if (arg == "--timeout-ms")
                out.timeout = parse_ms(arg, value);
            else if (arg == "--linger-ms")
                out.linger = parse_ms(arg, value);
            else
                throw UsageError("unknown option " + arg);
            continue;
        }
        positional.push_back(arg);
    }

    if (positional.size() < 3) throw UsageError("need URL, mode and port");
    out.url = positional[0];
    if (out.url.rfind("ws://", 0) != 0) throw UsageError("URL must start with ws://");
    const std::string& mode = positional[1];
    const size_t rest = positional.size() - 2;
    if (mode == "tcp" || mode == "udp") {
        if (rest != 2) throw UsageError(mode + " needs HOST and PORT");
        out.mode = mode == "tcp" ? Mode::tcp : Mode::udp;
        out.host = positional[2];
        out.port = parse_port(positional[3], false);
    } else if (mode == "listen") {
        if (rest == 2)
            out.host = positional[2];
        else if (rest != 1)
            throw UsageError("listen needs [HOST] PORT");
        out.mode = Mode::listen;
        out.port = parse_port(positional.back(), true);
    } else {
        throw UsageError("unknown mode '" + mode + "' (tcp, udp or listen)");
    }
    return ParseOutcome::run;
}

}  // namespace sockgate::client::cat
