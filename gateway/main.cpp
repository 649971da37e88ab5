// sockgate: relays real TCP and UDP sockets for browser sessions.
#include <asio.hpp>

#include <csignal>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>

#include "gateway/demo_peers.hpp"
#include "gateway/fd_limit.hpp"
#include "gateway/healthcheck.hpp"
#include "gateway/metrics.hpp"
#include "gateway/options.hpp"
#include "gateway/policy.hpp"
#include "gateway/server.hpp"
#include "gateway/tls_context.hpp"
#include "support/tuning/malloc_tuning.hpp"

using namespace sockgate::gateway;

namespace {

std::string url_host(const asio::ip::address& a) { return a.is_v6() ? "[" + a.to_string() + "]" : a.to_string(); }

// SIGHUP: what can change under running sessions is taken from the command
// line and config file again; the rest is reported as needing a restart.
void reload(Options& live, Policy& policy, int argc, const char* const argv[]) {
    Options fresh;
    try {
        if (parse_options(argc, argv, fresh) != ParseOutcome::run) return;
        const Policy fresh_policy(fresh.allow, fresh.bind_allow);
        policy = fresh_policy;
    } catch (const std::exception& e) {
        std::cerr << "sockgate: reload failed, keeping the running configuration: " << e.what() << std::endl;
        return;
    }
    live.allow = fresh.allow;
    live.bind_allow = fresh.bind_allow;
    live.origins = fresh.origins;
    live.token = fresh.token;
    live.quiet = fresh.quiet;
    std::cerr << "sockgate: reloaded policy, origins and token" << (live.config_file.empty() ? "" : " from ")
              << live.config_file << "; other options take effect on restart\npolicy:\n";
    const std::string rules = policy.describe();
    std::cerr << rules;
    if (!rules.empty() && rules.back() != '\n') std::cerr << '\n';  // the next log line starts on its own
    std::cerr << std::flush;
}

void print_status(const Metrics& m) {
    std::cerr << "sockgate: status: " << m.sessions << " sessions, " << m.sockets() << " sockets, " << m.tcp_connecting
              << " connecting, " << m.pre_session_connections << " other connections, " << count_open_fds() << " of "
              << m.fd_limit << " file descriptors" << std::endl;
}

int run(Options& options, int argc, const char* const argv[]) {
    Policy policy(options.allow, options.bind_allow);
    Metrics metrics;
    metrics.fd_limit = raise_fd_limit();
    const std::string fitted = fit_options_to_fd_limit(options, metrics.fd_limit, count_open_fds());
    if (!fitted.empty()) std::cerr << "sockgate: " << fitted << std::endl;
    asio::io_context io(1);

    std::optional<DemoPeers> demo;
    if (options.demo) demo.emplace(io, options.demo_host, options.demo_port);

    // Before the "listening" line: a supervisor may signal as soon as it sees it.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    asio::signal_set others(io, SIGHUP, SIGUSR1, SIGUSR2);
    asio::steady_timer grace(io);

    Server server(io, options, policy, metrics);
    if (demo) server.set_demo_port(demo->port());
    server.start();

    const auto ep = server.local_endpoint();
    const std::string base = url_host(ep.address()) + ":" + std::to_string(ep.port());
    // Tests and scripts read the URL from this line; the plain one keeps its form.
    const std::string http = server.tls() ? "https" : "http", ws = server.tls() ? "wss" : "ws";
    std::cout << "sockgate " << SOCKGATE_VERSION << " listening on " << http << "://" << base << "/ (WebSocket " << ws
              << "://" << base << "/ws)\n";
    if (demo) std::cout << "demo echo services: tcp and udp on " << options.demo_host << ":" << demo->port() << "\n";
    std::cout << "web root: " << options.web_root << "\n";
    const std::string rules = policy.describe();
    std::cout << "policy:\n" << rules << (rules.empty() || rules.back() == '\n' ? "" : "\n");
    if (!options.token.empty()) std::cout << "sessions must present the token given with --token\n";
    std::cout << std::flush;
    // Everything open from here on is a connection, a socket or the reserve.
    metrics.fd_base = count_open_fds();

    std::function<void()> do_other_signal = [&] {
        others.async_wait([&](const asio::error_code& ec, int signo) {
            if (ec) return;
            if (signo == SIGHUP) {
                reload(options, policy, argc, argv);
                // Whether or not the rest reloaded: a renewed certificate
                // must not wait for a fixed config file.
                if (const std::string tls = server.reload_tls(); !tls.empty())
                    std::cerr << "sockgate: " << tls << std::endl;
            }
            if (signo == SIGUSR1) print_status(metrics);
            // SIGUSR2 is caught only so that it cannot kill the gateway.
            do_other_signal();
        });
    };
    do_other_signal();

    signals.async_wait([&](const asio::error_code& ec, int) {
        if (ec) return;
        std::cerr << "sockgate: shutting down" << std::endl;
        others.cancel();
        const size_t closing = server.stop();
        if (demo) demo->stop();
        if (closing == 0) {
            io.stop();
            return;
        }
        // Give close handshakes a moment, then stop whatever is left.
        grace.expires_after(std::chrono::seconds(2));
        grace.async_wait([&](const asio::error_code&) { io.stop(); });
    });
    // An exception escaping a handler is a bug in one session's code path;
    // report it and keep serving the others.
    for (;;) {
        try {
            io.run();
            break;
        } catch (const std::exception& e) {
            std::cerr << "sockgate: unexpected error: " << e.what() << std::endl;
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    sockgate::support::keep_freed_memory_for_reuse();
    std::signal(SIGPIPE, SIG_IGN);
    Options options;
    try {
        switch (parse_options(argc, argv, options)) {
            case ParseOutcome::help:
                std::cout << help_text();
                return 0;
            case ParseOutcome::version:
                std::cout << "sockgate " << SOCKGATE_VERSION << "\n";
                return 0;
            case ParseOutcome::healthcheck: {
                const std::string host = healthcheck_host(options.listen_host);
                std::ostringstream why;
                if (check_health(host, options.listen_port, std::chrono::seconds(3), why)) return 0;
                std::cerr << "sockgate: unhealthy: " << why.str() << std::endl;
                return 1;
            }
            case ParseOutcome::run:
                break;
        }
        if (options.web_root.empty()) options.web_root = SOCKGATE_DEFAULT_WEB_ROOT;
        return run(options, argc, argv);
    } catch (const OptionsError& e) {
        std::cerr << "sockgate: " << e.what() << "\n(see sockgate --help)\n";
        return 2;
    } catch (const PolicyError& e) {
        std::cerr << "sockgate: " << e.what() << "\n";
        return 2;
    } catch (const std::system_error& e) {
        std::cerr << "sockgate: cannot start: " << e.what() << "\n";
        return 1;
    } catch (const TlsError& e) {
        std::cerr << "sockgate: cannot start: " << e.what() << "\n";
        return 1;
    }
}
