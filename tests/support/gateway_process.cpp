#include "support/gateway_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "support/process/child_process.hpp"
#include "support/process/gateway_launch.hpp"
#include "support/read_file.hpp"
#include "support/wait.hpp"

namespace sockgate::testing {
namespace {

using process::read_available;
using process::wait_for_exit;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// "VmRSS:	  123456 kB" -> bytes.
uint64_t status_field_bytes(const std::string& status, const std::string& field) {
    const auto at = status.find(field + ":");
    if (at == std::string::npos) return 0;
    return std::stoull(status.substr(at + field.size() + 1)) * 1024;
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
    std::istringstream in(headers);
    std::string line;
    const std::string want = lower(name) + ":";
    while (std::getline(in, line)) {
        if (lower(line).rfind(want, 0) == 0) {
            std::string v = line.substr(want.size());
            v.erase(0, v.find_first_not_of(' '));
            while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
            return v;
        }
    }
    return "";
}

GatewayProcess::GatewayProcess(std::vector<std::string> args, GatewayLaunch launch) {
    std::vector<std::string> full;
    if (launch.demo)
        full = {"--demo-port", "0"};
    else
        full = {"--no-demo"};
    full.insert(full.end(), args.begin(), args.end());
    process::SpawnOptions spawn;
    spawn.fd_limit = launch.fd_limit;
    spawn.merge_stderr = launch.merge_stderr;
    spawn.close_inherited_fds = launch.close_inherited_fds;
    const process::LaunchedGateway gateway = process::launch_gateway(launch.binary, full, spawn);
    pid_ = gateway.pid;
    out_fd_ = gateway.out_fd;
    port_ = gateway.port;
    banner_ = gateway.banner;
    if (!launch.keep_output) {
        close(out_fd_);
        out_fd_ = -1;
    }
    const std::regex demo(R"(demo echo services: tcp and udp on [^\s]+:(\d+))");
    std::smatch m;
    if (std::regex_search(gateway.banner, m, demo)) demo_port_ = uint16_t(std::stoi(m[1]));
}

GatewayProcess::~GatewayProcess() { stop(); }

bool GatewayProcess::alive() {
    if (pid_ < 0) return false;
    int status = 0;
    return waitpid(pid_, &status, WNOHANG) == 0;
}

int GatewayProcess::stop() {
    if (pid_ < 0) return -1;
    const int rc = process::terminate_child(pid_, std::chrono::seconds(5));
    pid_ = -1;
    if (out_fd_ >= 0) close(out_fd_);
    out_fd_ = -1;
    return rc;
}

void GatewayProcess::signal(int signo) const {
    if (pid_ > 0) kill(pid_, signo);
}

std::string GatewayProcess::read_output(const std::string& needle, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (output_.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline)
        if (out_fd_ < 0 || !read_available(out_fd_, output_, 50)) break;
    const auto at = output_.find(needle);
    if (at == std::string::npos) return output_;
    std::string upto = output_.substr(0, at + needle.size());
    output_.erase(0, at + needle.size());
    return upto;
}

HttpResponse GatewayProcess::get(const std::string& target, const std::vector<std::string>& extra_headers,
                                 const std::string& from) const {
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\n";
    for (const auto& h : extra_headers) req += h + "\r\n";
    req += "Connection: close\r\n\r\n";
    return request(req, from);
}

HttpResponse GatewayProcess::request(const std::string& raw, const std::string& from) const {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (inet_pton(AF_INET, from.c_str(), &local.sin_addr) != 1 ||
        bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        close(fd);
        throw std::runtime_error("cannot send from " + from);
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        throw std::runtime_error("cannot connect to gateway");
    }
    send(fd, raw.data(), raw.size(), MSG_NOSIGNAL);
    std::string all;
    // Read until close, or until a complete response when the server keeps
    // the connection (a refused WebSocket handshake).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        if (!read_available(fd, all, 200)) break;
        const auto head_end = all.find("\r\n\r\n");
        if (head_end == std::string::npos) continue;
        HttpResponse probe;
        probe.headers = all.substr(0, head_end);
        if (probe.headers.rfind("HTTP/1.1 101", 0) == 0) break;  // upgraded: no body follows
        const std::string len = probe.header("Content-Length");
        if (!len.empty() && all.size() >= head_end + 4 + std::stoul(len)) break;
    }
    close(fd);
    HttpResponse r;
    const auto head_end = all.find("\r\n\r\n");
    if (head_end == std::string::npos) return r;
    r.headers = all.substr(0, head_end);
    r.body = all.substr(head_end + 4);
    if (r.headers.size() > 12) r.status = std::stoi(r.headers.substr(9, 3));
    return r;
}

std::string GatewayProcess::metrics() const {
    try {
        const HttpResponse r = get("/metrics");
        return r.status == 200 ? r.body : "";
    } catch (const std::runtime_error&) {
        return "";
    }
}

long long GatewayProcess::metric(const std::string& name_with_labels) const {
    return testing::metric(metrics(), name_with_labels);
}

long long GatewayProcess::wait_for_metric(const std::string& name_with_labels, long long value,
                                          std::chrono::milliseconds timeout) const {
    long long now = -1;
    wait_until([&] { return (now = metric(name_with_labels)) == value; }, timeout);
    return now;
}

ProcessMemory GatewayProcess::memory() const {
    const std::string status = read_file("/proc/" + std::to_string(pid_) + "/status");
    return {status_field_bytes(status, "VmRSS"), status_field_bytes(status, "VmHWM")};
}

double GatewayProcess::cpu_seconds() const {
    const std::string stat = read_file("/proc/" + std::to_string(pid_) + "/stat");
    // The command name in parentheses may hold spaces; fields count from
    // after its closing parenthesis: state is field 3, utime 14, stime 15.
    const auto close_paren = stat.rfind(')');
    if (close_paren == std::string::npos) return 0;
    std::istringstream fields(stat.substr(close_paren + 2));
    std::string skip;
    for (int field = 3; field < 14; ++field) fields >> skip;
    unsigned long long utime = 0, stime = 0;
    fields >> utime >> stime;
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

ChildProcess::ChildProcess(const std::string& path, const std::vector<std::string>& args) {
    process::SpawnOptions options;
    options.pipe_stdin = true;
    const process::SpawnedChild child = process::spawn_child(path, args, options);
    pid_ = child.pid;
    out_fd_ = child.out_fd;
    in_fd_ = child.in_fd;
}

ChildProcess::~ChildProcess() {
    close_stdin();
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        wait(std::chrono::seconds(5));
    }
    if (out_fd_ >= 0) close(out_fd_);
}

bool ChildProcess::write_stdin(const std::string& data) {
    return in_fd_ >= 0 && ::write(in_fd_, data.data(), data.size()) == ssize_t(data.size());
}

void ChildProcess::close_stdin() {
    if (in_fd_ >= 0) close(in_fd_);
    in_fd_ = -1;
}

std::string ChildProcess::read_until(const std::string& needle, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out_.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        if (!read_available(out_fd_, out_, 50)) break;
    }
    return out_;
}

void ChildProcess::kill_hard() {
    if (pid_ > 0) kill(pid_, SIGKILL);
}

int ChildProcess::wait(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -1;
    const int rc = wait_for_exit(pid_, timeout);
    pid_ = -1;
    return rc;
}

RunResult run_gateway(const std::vector<std::string>& args, std::chrono::seconds timeout, uint64_t fd_limit) {
    process::SpawnOptions options;
    options.merge_stderr = true;
    options.fd_limit = fd_limit;
    const process::SpawnedChild s = process::spawn_child(SOCKGATE_GATEWAY_BIN, args, options);
    RunResult r;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!read_available(s.out_fd, r.output, 100)) break;
    }
    close(s.out_fd);
    r.exit_code = wait_for_exit(s.pid, std::chrono::seconds(2));
    return r;
}

long long metric(const std::string& text, const std::string& name_with_labels) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(name_with_labels + " ", 0) == 0) return std::stoll(line.substr(name_with_labels.size() + 1));
    }
    return -1;
}

}  // namespace sockgate::testing
