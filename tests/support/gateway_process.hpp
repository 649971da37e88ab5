// Runs the real sockgate binary on a free loopback port, for the tests, the
// soak and the bench alike, and reads it from outside: /metrics, and its
// memory and CPU time from /proc.
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
    std::string binary = SOCKGATE_GATEWAY_BIN;  // the bench may time another build's
    // true: its demo echo services on a free port (demo_port()); false: --no-demo.
    bool demo = true;
    uint64_t fd_limit = 0;      // RLIMIT_NOFILE for the gateway; 0: inherited
    bool merge_stderr = false;  // its log lines readable with read_output()
    // false: its output pipe is closed once the banner is read, for a run
    // that never reads it (the gateway ignores the SIGPIPE of later lines).
    bool keep_output = true;
    // Close every inherited descriptor in the gateway: the bench holds
    // thousands of sockets that asio does not open close-on-exec.
    bool close_inherited_fds = false;
};

// The launches the tests use most, by name.
inline GatewayLaunch with_fd_limit(uint64_t limit) {
    GatewayLaunch launch;
    launch.fd_limit = limit;
    return launch;
}
inline GatewayLaunch with_log_output() {
    GatewayLaunch launch;
    launch.merge_stderr = true;
    return launch;
}

// From /proc/<pid>/status, in bytes.
struct ProcessMemory {
    uint64_t rss = 0;   // VmRSS: resident now
    uint64_t peak = 0;  // VmHWM: the most it was ever resident
};

class GatewayProcess {
public:
    // Starts `sockgate --listen 127.0.0.1:0 --demo-port 0 <args>` (--no-demo
    // in place of --demo-port 0 when launch.demo is false) and waits for its
    // banner. Throws std::runtime_error, with its output, if it exits first.
    explicit GatewayProcess(std::vector<std::string> args = {}, GatewayLaunch launch = {});
    ~GatewayProcess();
    GatewayProcess(const GatewayProcess&) = delete;
    GatewayProcess& operator=(const GatewayProcess&) = delete;

    pid_t pid() const { return pid_; }
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

    // GET /metrics: the Prometheus text, or "" when it cannot be had.
    std::string metrics() const;
    // One sample of it, e.g. metric("sockgate_sockets{kind=\"tcp\"}"); -1 when absent.
    long long metric(const std::string& name_with_labels) const;
    // Reads it until it is `value` (the gateway updates some asynchronously)
    // or the time runs out; returns the last reading.
    long long wait_for_metric(const std::string& name_with_labels, long long value,
                              std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
    ProcessMemory memory() const;
    // User plus system CPU time it has used so far, in seconds.
    double cpu_seconds() const;

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
    void kill_hard();                             // SIGKILL: the process vanishes without cleaning up
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
