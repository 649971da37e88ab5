#include "gateway/fd_limit.hpp"

#include <dirent.h>
#include <sys/resource.h>

#include <algorithm>

namespace sockgate::gateway {

uint64_t raise_fd_limit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        rlimit raised = rl;
        raised.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
    }
    return rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : uint64_t(rl.rlim_cur);
}

uint64_t count_open_fds() {
    DIR* dir = opendir("/proc/self/fd");
    if (!dir) return 0;
    uint64_t n = 0;
    while (const dirent* e = readdir(dir))
        if (e->d_name[0] != '.') ++n;
    closedir(dir);
    return n > 0 ? n - 1 : 0;  // the directory stream's own descriptor
}

uint64_t fds_needed(const Options& o, uint64_t open_now) {
    // Each session is one WebSocket plus its sockets; a connect in progress
    // counts against max_sockets like an open socket.
    return uint64_t(o.max_sessions) * (uint64_t(o.max_sockets) + 1) + o.max_http_connections + kFdReserve + open_now;
}

std::string fit_options_to_fd_limit(Options& o, uint64_t limit, uint64_t open_now) {
    const uint64_t needed = fds_needed(o, open_now);
    if (needed <= limit) return "";
    // The session count is the one limit start-up may lower, and only when
    // nobody chose it.
    const bool chosen = o.given.count("max-sessions") > 0;
    const uint64_t fixed = uint64_t(o.max_http_connections) + kFdReserve + open_now;
    const uint64_t per_session = uint64_t(o.max_sockets) + 1;
    const uint64_t fitting = limit > fixed ? (limit - fixed) / per_session : 0;
    const std::string sizes = "--max-sessions " + std::to_string(o.max_sessions) + " x (--max-sockets " +
                              std::to_string(o.max_sockets) + " + 1) + --max-http-connections " +
                              std::to_string(o.max_http_connections) + " need up to " + std::to_string(needed) +
                              " file descriptors, but this process may open " + std::to_string(limit);
    if (chosen || fitting == 0)
        throw OptionsError(sizes + ". Raise the limit (ulimit -n, or LimitNOFILE= / --ulimit nofile=) or lower " +
                           (fitting == 0 ? std::string("--max-sockets or --max-http-connections")
                                         : "--max-sessions to " + std::to_string(fitting) + " or less") +
                           ".");
    o.max_sessions = uint32_t(std::min<uint64_t>(fitting, o.max_sessions));
    return sizes + "; --max-sessions lowered to " + std::to_string(o.max_sessions) +
           " (raise the descriptor limit for more)";
}

}  // namespace sockgate::gateway
