// poll and select over socket fds (and other fds, which the file system
// answers). Readiness of a socket comes from ready_events(); a call that
// must wait sleeps until the next message from the gateway or its timeout.

#include <errno.h>
#include <poll.h>
#include <sys/select.h>

#include <vector>

#include "wasm/posix/operations.hpp"
#include "wasm/posix/wait.hpp"

extern "C" long __syscall_poll(long fds, long nfds, long timeout);

using namespace sockgate::posix;

namespace {

// One pass over the fds without waiting; returns how many have events.
int poll_once(pollfd* fds, nfds_t n) {
    std::vector<pollfd> files;
    std::vector<nfds_t> file_index;
    int ready = 0;
    for (nfds_t i = 0; i < n; ++i) {
        fds[i].revents = 0;
        if (fds[i].fd < 0) continue;
        if (auto s = SocketTable::get().find(fds[i].fd)) {
            const short always = POLLERR | POLLHUP;
            fds[i].revents = short(ready_events(*s) & (fds[i].events | always));
            if (fds[i].revents) ++ready;
        } else {
            files.push_back(pollfd{fds[i].fd, fds[i].events, 0});
            file_index.push_back(i);
        }
    }
    if (!files.empty()) {
        __syscall_poll(long(reinterpret_cast<intptr_t>(files.data())), long(files.size()), 0);
        for (size_t k = 0; k < files.size(); ++k) {
            fds[file_index[k]].revents = files[k].revents;
            if (files[k].revents) ++ready;
        }
    }
    return ready;
}

}  // namespace

extern "C" {

int poll(pollfd* fds, nfds_t n, int timeout) {
    if (n > 0 && !fds) return fail(EFAULT);
    const double deadline = timeout > 0 ? now_ms() + timeout : -1;
    bool yielded = false;
    for (;;) {
        const int ready = poll_once(fds, n);
        if (ready > 0) return ready;
        if (timeout == 0) {
            // Nothing ready: let the event loop deliver what has arrived, so
            // a program that polls in a loop makes progress.
            if (yielded) return 0;
            yield_to_event_loop();
            yielded = true;
            continue;
        }
        if (stop_requested()) return fail(EINTR);
        double left = -1;
        if (deadline >= 0) {
            left = deadline - now_ms();
            if (left <= 0) return 0;
        }
        sleep_until_woken(left);
    }
}

int select(int nfds, fd_set* readfds, fd_set* writefds, fd_set* exceptfds, timeval* tv) {
    if (nfds < 0 || nfds > FD_SETSIZE) return fail(EINVAL);
    if (tv && (tv->tv_sec < 0 || tv->tv_usec < 0)) return fail(EINVAL);
    std::vector<pollfd> fds;
    for (int fd = 0; fd < nfds; ++fd) {
        short events = 0;
        if (readfds && FD_ISSET(fd, readfds)) events |= POLLIN;
        if (writefds && FD_ISSET(fd, writefds)) events |= POLLOUT;
        if (exceptfds && FD_ISSET(fd, exceptfds)) events |= POLLPRI;
        if (events) fds.push_back(pollfd{fd, events, 0});
    }
    int timeout = -1;
    if (tv) {
        const long long ms = (long long)tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000;
        timeout = ms > 0x7fffffff ? 0x7fffffff : int(ms);
    }
    const int r = poll(fds.data(), nfds_t(fds.size()), timeout);
    if (r < 0) return -1;
    for (const pollfd& p : fds)
        if (p.revents & POLLNVAL) return fail(EBADF);

    if (readfds) FD_ZERO(readfds);
    if (writefds) FD_ZERO(writefds);
    if (exceptfds) FD_ZERO(exceptfds);
    int count = 0;
    for (const pollfd& p : fds) {
        if ((p.events & POLLIN) && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
            FD_SET(p.fd, readfds);
            ++count;
        }
        if ((p.events & POLLOUT) && (p.revents & (POLLOUT | POLLERR))) {
            FD_SET(p.fd, writefds);
            ++count;
        }
        if ((p.events & POLLPRI) && (p.revents & POLLPRI)) {
            FD_SET(p.fd, exceptfds);
            ++count;
        }
    }
    return count;
}

}  // extern "C"
