// Runs the real sockgate binary for a test, on a free loopback port.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sockgate::testing {

struct HttpResponse {
    int status = 0;
    std::string headers;  // raw header block
    std::string body;
    std::string header(const std::string& name) const;  // case-insensitive, "" if absent
};

// How to run the gateway beyond its flags.
struct GatewayLaunch {
    uint64_t fd_limit = 0;      // RLIMIT_NOFILE for the gateway; 0: inherited
    bool merge_stderr = false;  // its log lines readable with read_output()
};

class GatewayProcess {
public:
    // Starts `sockgate --listen 127.0.0.1:0 --demo-port 0 <args>` and waits
    // for its "listening on" line. Throws std::runtime_error if it exits first.
    explicit GatewayProcess(std::vector<std::string> args = {}, GatewayLaunch launch = {});
    ~GatewayProcess();
    GatewayProcess(const GatewayProcess&) = delete;
    GatewayProcess& operator=(const GatewayProcess&) = delete;

    uint16_t port() const { return port_; }
    uint16_t demo_port() const { return demo_port_; }
    // What it printed up to and including its policy lines.
    const std::string& banner() const { return banner_; }
    std::string ws_url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/ws"; }
    std::string http_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    bool alive();
    // SIGTERM, then the exit status (or -signal).
    int stop();
    void signal(int signo) const;
    // What it printed after its banner, read until `needle` appears or the
    // time runs out; returns everything read since the last call that found
    // its needle. Needs merge_stderr for log lines.
    std::string read_output(const std::string& needle, std::chrono::milliseconds timeout);

    // `from` is the loopback address the request comes from: another
    // 127.x.y.z is another client to the gateway.
    HttpResponse get(const std::string& target, const std::vector<std::string>& extra_headers = {},
                     const std::string& from = "127.0.0.1") const;
    // A raw request, for handshake tests; returns the response head and body.
    HttpResponse request(const std::string& raw, const std::string& from = "127.0.0.1") const;

private:
    pid_t pid_ = -1;
    int out_fd_ = -1;
    uint16_t port_ = 0;
    uint16_t demo_port_ = 0;
    std::string banner_;
    std::string output_;
};

// Any program, with stdin and stdout on pipes (stderr inherited).
class ChildProcess {
public:
    ChildProcess(const std::string& path, const std::vector<std::string>& args);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    bool write_stdin(const std::string& data);
    void close_stdin();
    // Reads stdout until `needle` appears or the time runs out; returns all read so far.
    std::string read_until(const std::string& needle, std::chrono::milliseconds timeout);
    void kill_hard();  // SIGKILL: the process vanishes without cleaning up
    int wait(std::chrono::milliseconds timeout);  // exit status, or -signal

private:
    pid_t pid_ = -1;
    int in_fd_ = -1;
    int out_fd_ = -1;
    std::string out_;
};

struct RunResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

// Runs sockgate with exactly `args` and waits (for --help, bad flags, refusals).
RunResult run_gateway(const std::vector<std::string>& args, std::chrono::seconds timeout = std::chrono::seconds(10),
                      uint64_t fd_limit = 0);

// A counter in the Prometheus text, e.g. metric(text, "sockgate_denied_total").
// Returns -1 when absent.
long long metric(const std::string& prometheus_text, const std::string& name_with_labels);

}  // namespace sockgate::testing
