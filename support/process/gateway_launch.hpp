// Starting the real gateway binary on a free loopback port and learning
// which port it took from its start-up banner.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "support/process/child_process.hpp"

namespace sockgate::process {

// A gateway that has announced its port. Ending the process and closing
// out_fd are the caller's.
struct LaunchedGateway {
    pid_t pid = -1;
    int out_fd = -1;     // its stdout (and stderr if merged), read up to the banner's end
    uint16_t port = 0;   // on 127.0.0.1
    std::string banner;  // all it printed while starting
};

// Starts `binary --listen 127.0.0.1:0 <args>` and reads its output until the
// "listening on" line and the policy that ends the banner have come. If they
// do not within 15 s, or it exits first, stops it and throws
// std::runtime_error with its output in the message.
LaunchedGateway launch_gateway(const std::string& binary, const std::vector<std::string>& args,
                               const SpawnOptions& options);

}  // namespace sockgate::process
