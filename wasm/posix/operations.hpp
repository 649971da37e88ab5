// Socket operations that several POSIX calls share: finding a socket by fd,
// opening gateway sockets, moving bytes, and readiness for poll/select.
#pragma once

#include <sys/types.h>

#include <memory>

#include "wasm/posix/socket.hpp"

namespace sockgate::posix {

// The socket behind fd. On failure returns nullptr and sets err: EBADF for
// a closed fd, ENOTSOCK for an fd that is open but not a socket.
std::shared_ptr<Socket> lookup(int fd, int& err);

// Gives a UDP socket its gateway socket (the gateway's `bind`), at `where`
// or, when absent, at an ephemeral port on the wildcard address as the
// kernel does for sendto or connect on an unbound socket. Waits for the
// reply even on a non-blocking socket: natively this is a local call that
// never blocks for long. Returns 0 or an errno.
int bind_udp(const std::shared_ptr<Socket>& s, const proto::Endpoint* where);
// Opens the TCP listener for listen(). Returns 0 or an errno.
int listen_tcp(const std::shared_ptr<Socket>& s, int backlog);
// A TCP socket bound (so listening at the gateway) that connects instead:
// closes its gateway listener and makes it fresh again.
void give_up_listener(const std::shared_ptr<Socket>& s);
// Starts a TCP connect; the reply moves the socket to connected, or back to
// fresh with pending_error set. Returns 0 or an errno.
int start_connect(const std::shared_ptr<Socket>& s, const proto::Endpoint& to);

// Data transfer with the semantics of send/recv (flags: MSG_DONTWAIT,
// MSG_PEEK, MSG_WAITALL, MSG_TRUNC). `to`/`from` are for datagrams.
// Return the byte count, or -1 with errno set.
ssize_t send_bytes(const std::shared_ptr<Socket>& s, const char* data, size_t len, int flags,
                   const proto::Endpoint* to);
ssize_t receive_bytes(Socket& s, char* buf, size_t len, int flags, proto::Endpoint* from, bool* truncated);

// How many more bytes a TCP socket accepts before send() blocks: the data
// waiting for credit is bounded by SO_SNDBUF, as the kernel's send buffer.
size_t send_room(const Socket& s);

// poll() events that hold for s now (POLLIN, POLLOUT, POLLERR, POLLHUP, ...).
short ready_events(const Socket& s);

// Closes the program's fd of a socket: waits (blocking sockets only, and
// at most a while) for queued data to go out, then lets the gateway socket go.
void close_socket(const std::shared_ptr<Socket>& s);

}  // namespace sockgate::posix
