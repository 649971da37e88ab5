#include "support/process/child_process.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace sockgate::process {
namespace {

void close_pipe(int ends[2]) {
    close(ends[0]);
    close(ends[1]);
}

}  // namespace

SpawnedChild spawn_child(const std::string& path, const std::vector<std::string>& args, const SpawnOptions& options) {
    int out[2];
    int in[2] = {-1, -1};
    if (pipe(out) != 0) throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
    if (options.pipe_stdin && pipe(in) != 0) {
        const int error = errno;
        close_pipe(out);
        throw std::runtime_error("pipe: " + std::string(std::strerror(error)));
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    if (options.merge_stderr) posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
    // The parent's ends must not stay open in the child: a child holding its
    // own stdin's write end would never see end of file there.
    posix_spawn_file_actions_addclose(&actions, out[0]);
    if (options.pipe_stdin) {
        posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
        posix_spawn_file_actions_addclose(&actions, in[1]);
    }
    if (options.close_inherited_fds) posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);

    std::vector<std::string> full{path};
    std::string program = path;
    if (options.fd_limit) {
        const std::string n = std::to_string(options.fd_limit);
        full = {"/usr/bin/prlimit", "--nofile=" + n + ":" + n, "--", path};
        program = full.front();
    }
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);

    SpawnedChild child;
    const int rc = posix_spawn(&child.pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (options.pipe_stdin) close(in[0]);
    if (rc != 0) {
        close(out[0]);
        if (options.pipe_stdin) close(in[1]);
        throw std::runtime_error("cannot start " + path + ": " + std::strerror(rc));
    }
    child.out_fd = out[0];
    child.in_fd = in[1];
    return child;
}

bool read_available(int fd, std::string& out, int ms) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0) return true;
    char buf[4096];
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    out.append(buf, size_t(n));
    return true;
}

int wait_for_exit(pid_t pid, std::chrono::milliseconds patience) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        // Already reaped (by a liveness check, say): the pid may belong to
        // another process by now, so it must not be killed below.
        if (r < 0) return 0;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -SIGKILL;
}

int terminate_child(pid_t pid, std::chrono::milliseconds patience) {
    kill(pid, SIGTERM);
    return wait_for_exit(pid, patience);
}

}  // namespace sockgate::process
