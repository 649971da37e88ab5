// Command line of sockgate-cat.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace sockgate::client::cat {

enum class Mode { tcp, udp, listen };

struct CatOptions {
    std::string url;  // ws://HOST:PORT/ws of the gateway
    Mode mode = Mode::tcp;
    std::optional<std::string> host;  // tcp/udp: the destination; listen: the local address
    uint16_t port = 0;
    std::optional<std::string> token;
    std::string origin;  // Origin header; empty: none
    // Opening the WebSocket and each request may take this long.
    std::chrono::milliseconds timeout{10000};
    // UDP: how long to wait for replies after stdin ends.
    std::chrono::milliseconds linger{1000};
    bool verbose = false;
};

// Thrown for a bad command line; the message is for the user.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class ParseOutcome { run, help };

ParseOutcome parse_cat_options(int argc, const char* const argv[], CatOptions& out);
std::string cat_usage();

}  // namespace sockgate::client::cat
