#include "bench/gateway_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace sockgate::bench {
namespace {

using namespace std::chrono_literals;

// Appends what `fd` has within `ms`; false at end of file.
bool read_available(int fd, std::string& out, int ms) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0) return true;
    char buf[4096];
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    out.append(buf, size_t(n));
    return true;
}

// Exit status, -signal, or 0 when it had already been reaped.
int wait_for_exit(pid_t pid, std::chrono::milliseconds patience) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        if (r < 0) return 0;
        std::this_thread::sleep_for(10ms);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -SIGKILL;
}

// True once `response` holds a head and as much body as Content-Length says
// (the gateway closes the connection anyway; this just does not rely on it).
bool complete_http_response(const std::string& response) {
    const auto head_end = response.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    std::string head = response.substr(0, head_end);
    for (auto& c : head) c = char(std::tolower(static_cast<unsigned char>(c)));
    const auto at = head.find("\r\ncontent-length:");
    if (at == std::string::npos) return false;
    return response.size() >= head_end + 4 + std::stoull(head.substr(at + 17));
}

// "VmRSS:	  123456 kB" -> bytes.
uint64_t status_field_bytes(const std::string& status, const std::string& field) {
    const auto at = status.find(field + ":");
    if (at == std::string::npos) return 0;
    return std::stoull(status.substr(at + field.size() + 1)) * 1024;
}

}  // namespace

GatewayProcess::GatewayProcess(const std::string& binary, const std::vector<std::string>& args) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // stdout and stderr both into the pipe: a gateway that fails to start
    // says why there, and its "shutting down" line later does not cut into
    // the bench's progress output.
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
    // The bench holds thousands of sockets; none of them is the gateway's
    // business (asio does not open them close-on-exec).
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);

    std::vector<std::string> full{binary, "--listen", "127.0.0.1:0", "--no-demo", "--quiet"};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
        close(out[0]);
        throw std::runtime_error("cannot start " + binary + ": " + std::strerror(rc));
    }

    std::string output;
    const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+)/)");
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    std::smatch m;
    bool open = true;
    // The policy lines come last in the start-up banner.
    while (open && std::chrono::steady_clock::now() < deadline) {
        open = read_available(out[0], output, 100);
        if (std::regex_search(output, m, listening) && output.find("policy:") != std::string::npos) {
            port_ = uint16_t(std::stoi(m[1]));
            break;
        }
    }
    // With --quiet little more comes; what does (the shutdown notice) is
    // not needed, and the write just fails: the gateway ignores SIGPIPE.
    close(out[0]);
    if (port_ == 0) {
        stop();
        throw std::runtime_error("the gateway did not start; its output:\n" + output);
    }
}

GatewayProcess::~GatewayProcess() { stop(); }

int GatewayProcess::stop() {
    if (pid_ <= 0) return 0;
    kill(pid_, SIGTERM);
    const int rc = wait_for_exit(pid_, 5s);
    pid_ = -1;
    return rc;
}

ProcessMemory GatewayProcess::memory() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::stringstream text;
    text << in.rdbuf();
    return {status_field_bytes(text.str(), "VmRSS"), status_field_bytes(text.str(), "VmHWM")};
}

double GatewayProcess::cpu_seconds() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The command name in parentheses may hold spaces; fields count from
    // after its closing parenthesis: state is field 3, utime 14, stime 15.
    const auto close_paren = text.rfind(')');
    if (close_paren == std::string::npos) return 0;
    std::istringstream fields(text.substr(close_paren + 2));
    std::string skip;
    for (int field = 3; field < 14; ++field) fields >> skip;
    unsigned long long utime = 0, stime = 0;
    fields >> utime >> stime;
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

std::string GatewayProcess::metrics() const {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return "";
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string response;
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        const std::string request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                                    "\r\nConnection: close\r\n\r\n";
        if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) == ssize_t(request.size())) {
            const auto deadline = std::chrono::steady_clock::now() + 5s;
            while (std::chrono::steady_clock::now() < deadline && read_available(fd, response, 100) &&
                   !complete_http_response(response)) {
            }
        }
    }
    close(fd);
    const auto body = response.find("\r\n\r\n");
    if (response.rfind("HTTP/1.1 200", 0) != 0 || body == std::string::npos) return "";
    return response.substr(body + 4);
}

long long prometheus_value(const std::string& text, const std::string& name_with_labels) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(name_with_labels + " ", 0) == 0) return std::stoll(line.substr(name_with_labels.size() + 1));
    return -1;
}

}  // namespace sockgate::bench
