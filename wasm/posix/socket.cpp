#include "wasm/posix/socket.hpp"

#include <errno.h>
#include <fcntl.h>
#include <wasi/api.h>

#include <cstring>

namespace sockgate::posix {

int Socket::int_option(int level, int name, int fallback) const {
    auto it = options.find({level, name});
    if (it == options.end() || it->second.size() < sizeof(int)) return fallback;
    int v = 0;
    std::memcpy(&v, it->second.data(), sizeof v);
    return v;
}

double Socket::timeout_ms(int name) const {
    auto it = options.find({SOL_SOCKET, name});
    if (it == options.end() || it->second.size() < sizeof(timeval)) return -1;
    timeval tv;
    std::memcpy(&tv, it->second.data(), sizeof tv);
    if (tv.tv_sec == 0 && tv.tv_usec == 0) return -1;  // zero means "no timeout"
    return double(tv.tv_sec) * 1000.0 + double(tv.tv_usec) / 1000.0;
}

SocketTable& SocketTable::get() {
    // Never destroyed: sockets may still be touched by atexit handlers and
    // by WebSocket events after static destructors ran.
    static SocketTable* table = new SocketTable;
    return *table;
}

int SocketTable::add(std::shared_ptr<Socket> s) {
    // open() is not overridden by this library, so this is the file system's.
    const int fd = ::open("/dev/null", O_RDWR);
    if (fd < 0) return -1;
    s->fd = fd;
    by_fd_[fd] = std::move(s);
    return fd;
}

std::shared_ptr<Socket> SocketTable::find(int fd) const {
    auto it = by_fd_.find(fd);
    return it == by_fd_.end() ? nullptr : it->second;
}

void SocketTable::remove(int fd) {
    if (by_fd_.erase(fd)) (void)__wasi_fd_close(fd);  // close() itself is ours
}

std::vector<std::shared_ptr<Socket>> SocketTable::all() const {
    std::vector<std::shared_ptr<Socket>> out;
    out.reserve(by_fd_.size());
    for (const auto& [fd, s] : by_fd_) out.push_back(s);
    return out;
}

}  // namespace sockgate::posix
