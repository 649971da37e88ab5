// close, read, write, fcntl and ioctl: calls that take any fd. Socket fds
// are handled here; every other fd goes to the same WASI and syscall imports
// that Emscripten's libc versions of these calls use.

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wasi/api.h>

#include "wasm/posix/operations.hpp"
#include "wasm/posix/wait.hpp"

extern "C" long __syscall_fcntl64(long fd, long cmd, ...);
extern "C" long __syscall_ioctl(long fd, long request, ...);

using namespace sockgate::posix;

namespace {

int wasi_result(__wasi_errno_t err) {
    if (err == 0) return 0;
    errno = err;  // Emscripten's errno values are WASI's
    return -1;
}

int syscall_result(long r) {
    if (r >= 0) return int(r);
    errno = int(-r);
    return -1;
}

}  // namespace

extern "C" {

int close(int fd) {
    if (auto s = SocketTable::get().find(fd)) {
        close_socket(s);
        return 0;
    }
    const __wasi_errno_t err = __wasi_fd_close(fd);
    return wasi_result(err == __WASI_ERRNO_INTR ? 0 : err);
}

ssize_t read(int fd, void* buf, size_t count) {
    if (SocketTable::get().find(fd)) return recv(fd, buf, count, 0);
    __wasi_iovec_t iov = {static_cast<uint8_t*>(buf), count};
    size_t n = 0;
    if (wasi_result(__wasi_fd_read(fd, &iov, 1, &n))) return -1;
    return ssize_t(n);
}

ssize_t write(int fd, const void* buf, size_t count) {
    if (SocketTable::get().find(fd)) return send(fd, buf, count, 0);
    __wasi_ciovec_t iov = {static_cast<const uint8_t*>(buf), count};
    size_t n = 0;
    if (wasi_result(__wasi_fd_write(fd, &iov, 1, &n))) return -1;
    return ssize_t(n);
}

int fcntl(int fd, int cmd, ...) {
    long arg = 0;
    if (cmd != F_GETFL && cmd != F_GETFD && cmd != F_GETOWN) {
        va_list ap;
        va_start(ap, cmd);
        arg = va_arg(ap, long);
        va_end(ap);
    }
    auto s = SocketTable::get().find(fd);
    if (!s) return syscall_result(__syscall_fcntl64(fd, cmd, arg));
    switch (cmd) {
        case F_GETFL:
            return O_RDWR | (s->nonblocking ? O_NONBLOCK : 0);
        case F_SETFL:
            s->nonblocking = arg & O_NONBLOCK;
            return 0;
        case F_GETFD:
        case F_SETFD:
            return syscall_result(__syscall_fcntl64(fd, cmd, arg));  // FD_CLOEXEC: no exec here
        default:
            return fail(EINVAL);  // F_DUPFD and locks: a socket fd cannot be duplicated
    }
}

int ioctl(int fd, int request, ...) {
    va_list ap;
    va_start(ap, request);
    void* arg = va_arg(ap, void*);
    va_end(ap);
    auto s = SocketTable::get().find(fd);
    if (!s) return syscall_result(__syscall_ioctl(fd, request, arg));
    switch (request) {
        case FIONBIO:
            if (!arg) return fail(EFAULT);
            s->nonblocking = *static_cast<int*>(arg) != 0;
            return 0;
        case FIONREAD: {
            if (!arg) return fail(EFAULT);
            size_t n =
                s->is_stream() ? s->rx_available() : (s->datagrams.empty() ? 0 : s->datagrams.front().payload.size());
            *static_cast<int*>(arg) = int(n);
            return 0;
        }
        default:
            return fail(ENOTTY);
    }
}

}  // extern "C"
