#include "support/gateway_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace sockgate::testing {
namespace {

struct Spawned {
    pid_t pid;
    int out_fd;
    int in_fd;  // -1 unless asked for
};

Spawned spawn_program(const std::string& path, const std::vector<std::string>& args, bool merge_stderr,
                      bool pipe_stdin) {
    int out[2];
    int in[2] = {-1, -1};
    if (pipe(out) != 0 || (pipe_stdin && pipe(in) != 0)) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    if (merge_stderr) posix_spawn_file_actions_adddup2(&fa, out[1], 2);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    if (pipe_stdin) {
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_addclose(&fa, in[1]);
    }
    std::vector<std::string> full{path};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, path.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    if (pipe_stdin) close(in[0]);
    if (rc != 0) {
        close(out[0]);
        if (pipe_stdin) close(in[1]);
        throw std::runtime_error("cannot start " + path + ": " + std::strerror(rc));
    }
    return {pid, out[0], pipe_stdin ? in[1] : -1};
}

Spawned spawn(const std::vector<std::string>& args, bool merge_stderr) {
    return spawn_program(SOCKGATE_GATEWAY_BIN, args, merge_stderr, false);
}

// Reads what is available within `ms`; false on EOF.
bool read_some(int fd, std::string& out, int ms) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0) return true;
    char buf[4096];
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    out.append(buf, size_t(n));
    return true;
}

int wait_status(pid_t pid, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -SIGKILL;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
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

GatewayProcess::GatewayProcess(std::vector<std::string> args) {
    std::vector<std::string> full{"--listen", "127.0.0.1:0", "--demo-port", "0"};
    full.insert(full.end(), args.begin(), args.end());
    auto s = spawn(full, false);
    pid_ = s.pid;
    out_fd_ = s.out_fd;
    std::string out;
    const std::regex listening(R"(listening on http://[^:]+:(\d+)/)");
    const std::regex demo(R"(demo echo services: tcp and udp on [^\s]+:(\d+))");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    std::smatch m;
    while (std::chrono::steady_clock::now() < deadline) {
        const bool open = read_some(out_fd_, out, 100);
        if (std::regex_search(out, m, listening) && out.find("policy:") != std::string::npos) {
            port_ = uint16_t(std::stoi(m[1]));
            if (std::regex_search(out, m, demo)) demo_port_ = uint16_t(std::stoi(m[1]));
            return;
        }
        if (!open) break;
    }
    stop();
    throw std::runtime_error("gateway did not start; output:\n" + out);
}

GatewayProcess::~GatewayProcess() { stop(); }

bool GatewayProcess::alive() {
    if (pid_ < 0) return false;
    int status = 0;
    return waitpid(pid_, &status, WNOHANG) == 0;
}

int GatewayProcess::stop() {
    if (pid_ < 0) return -1;
    kill(pid_, SIGTERM);
    const int rc = wait_status(pid_, std::chrono::seconds(5));
    pid_ = -1;
    if (out_fd_ >= 0) close(out_fd_);
    out_fd_ = -1;
    return rc;
}

HttpResponse GatewayProcess::get(const std::string& target, const std::vector<std::string>& extra_headers) const {
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\n";
    for (const auto& h : extra_headers) req += h + "\r\n";
    req += "Connection: close\r\n\r\n";
    return request(req);
}

HttpResponse GatewayProcess::request(const std::string& raw) const {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
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
        if (!read_some(fd, all, 200)) break;
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

ChildProcess::ChildProcess(const std::string& path, const std::vector<std::string>& args) {
    auto s = spawn_program(path, args, false, true);
    pid_ = s.pid;
    out_fd_ = s.out_fd;
    in_fd_ = s.in_fd;
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
        if (!read_some(out_fd_, out_, 50)) break;
    }
    return out_;
}

void ChildProcess::kill_hard() {
    if (pid_ > 0) kill(pid_, SIGKILL);
}

int ChildProcess::wait(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -1;
    const int rc = wait_status(pid_, timeout);
    pid_ = -1;
    return rc;
}

RunResult run_gateway(const std::vector<std::string>& args, std::chrono::seconds timeout) {
    auto s = spawn(args, true);
    RunResult r;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!read_some(s.out_fd, r.output, 100)) break;
    }
    close(s.out_fd);
    r.exit_code = wait_status(s.pid, std::chrono::seconds(2));
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
