#include "support/process/gateway_launch.hpp"

#include <unistd.h>

#include <chrono>
#include <regex>
#include <stdexcept>

namespace sockgate::process {

LaunchedGateway launch_gateway(const std::string& binary, const std::vector<std::string>& args,
                               const SpawnOptions& options) {
    std::vector<std::string> full{"--listen", "127.0.0.1:0"};
    full.insert(full.end(), args.begin(), args.end());
    const SpawnedChild child = spawn_child(binary, full, options);

    LaunchedGateway gateway;
    gateway.pid = child.pid;
    gateway.out_fd = child.out_fd;
    // https:// when the args turn TLS on.
    const std::regex listening(R"(listening on https?://127\.0\.0\.1:(\d+)/)");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    std::smatch m;
    bool open = true;
    while (open && std::chrono::steady_clock::now() < deadline) {
        open = read_available(gateway.out_fd, gateway.banner, 100);
        // The policy lines end the banner: once they are in, so is every line
        // before them (the demo peers' port, for one).
        if (std::regex_search(gateway.banner, m, listening) && gateway.banner.find("policy:") != std::string::npos) {
            gateway.port = uint16_t(std::stoi(m[1]));
            return gateway;
        }
    }
    terminate_child(gateway.pid, std::chrono::seconds(5));
    close(gateway.out_fd);
    throw std::runtime_error("the gateway did not start; its output:\n" + gateway.banner);
}

}  // namespace sockgate::process
