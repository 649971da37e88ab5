#include "bench/gateway_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <fstream>
#include <sstream>

#include "support/gateway_process.hpp"
#include "support/process/child_process.hpp"
#include "support/process/gateway_launch.hpp"

namespace sockgate::bench {
namespace {

using namespace std::chrono_literals;
using process::read_available;

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
    std::vector<std::string> full{"--no-demo", "--quiet"};
    full.insert(full.end(), args.begin(), args.end());
    process::SpawnOptions options;
    // stdout and stderr both into the pipe: a gateway that fails to start
    // says why there, and its "shutting down" line later does not cut into
    // the bench's progress output.
    options.merge_stderr = true;
    // The bench holds thousands of sockets; none of them is the gateway's
    // business (asio does not open them close-on-exec).
    options.close_inherited_fds = true;
    const process::LaunchedGateway gateway = process::launch_gateway(binary, full, options);
    pid_ = gateway.pid;
    port_ = gateway.port;
    // With --quiet little more comes; what does (the shutdown notice) is
    // not needed, and the write just fails: the gateway ignores SIGPIPE.
    close(gateway.out_fd);
}

GatewayProcess::~GatewayProcess() { stop(); }

int GatewayProcess::stop() {
    if (pid_ <= 0) return 0;
    const int rc = process::terminate_child(pid_, 5s);
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
    return testing::metric(text, name_with_labels);
}

}  // namespace sockgate::bench
