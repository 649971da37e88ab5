// Starting a child program on pipes and waiting for it, for the bench and
// the tests that run real programs (the gateway, sockgate-cat).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sockgate::process {

struct SpawnOptions {
    bool merge_stderr = false;  // stderr into the stdout pipe; otherwise inherited
    bool pipe_stdin = false;    // otherwise inherited
    // Close every descriptor above stderr in the child, for callers that hold
    // many sockets not opened close-on-exec.
    bool close_inherited_fds = false;
    // When set, the child runs under this RLIMIT_NOFILE (soft and hard),
    // by way of util-linux's prlimit, which execs it in place.
    uint64_t fd_limit = 0;
};

// A started child and the parent's ends of its pipes, which the caller
// closes; the caller also reaps the child.
struct SpawnedChild {
    pid_t pid = -1;
    int out_fd = -1;  // reads its stdout (and stderr when merged)
    int in_fd = -1;   // writes its stdin; -1 unless piped
};

// Starts `path args...` from `path` itself (no PATH search). Throws
// std::runtime_error if a pipe or the spawn fails.
SpawnedChild spawn_child(const std::string& path, const std::vector<std::string>& args, const SpawnOptions& options);

// Appends what `fd` has within `ms`; false at end of file.
bool read_available(int fd, std::string& out, int ms);

// Waits for `pid` to exit and reaps it, with SIGKILL once `patience` runs
// out. Returns the exit status, -signal, or 0 when it had already been reaped.
int wait_for_exit(pid_t pid, std::chrono::milliseconds patience);

// SIGTERM, then wait_for_exit.
int terminate_child(pid_t pid, std::chrono::milliseconds patience);

}  // namespace sockgate::process
