// One POSIX socket as the program sees it, and the table of socket fds.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/messages.hpp"

namespace sockgate::posix {

class Session;

enum class Phase {
    fresh,       // no gateway socket yet (a TCP socket may have a bind() address)
    connecting,  // TCP connect request sent, no reply yet
    connected,   // TCP stream (from connect or accept)
    listening,   // TCP listener
    bound,       // UDP socket with a gateway socket (bound explicitly or implicitly)
    closed,      // the gateway or the session ended it; close_error says how
};

struct Datagram {
    proto::Endpoint from;
    std::string payload;
};

// Options the program set with setsockopt, by (level, name), as raw bytes.
// Most only need to read back as set; the few that change behaviour
// (timeouts, SO_SNDBUF) are read from here when used.
using OptionMap = std::map<std::pair<int, int>, std::vector<char>>;

struct Socket {
    int fd = -1;  // -1: an accepted connection that accept() has not handed out yet
    int family = AF_INET;
    int type = SOCK_STREAM;  // SOCK_STREAM or SOCK_DGRAM
    int protocol = 0;
    bool nonblocking = false;
    bool released = false;  // the program closed the fd; the gateway socket goes too

    Phase phase = Phase::fresh;
    Session* session = nullptr;  // the session that owns `gw`
    uint32_t gw = 0;             // gateway socket id; 0 while there is none

    // bind(): the requested local address. TCP takes it by listening at
    // once (the gateway has no bind without listen); listen() confirms it.
    std::optional<proto::Endpoint> bound;
    bool listen_called = false;            // TCP: listen() was called, so accept() may be
    std::optional<proto::Endpoint> local;  // as the gateway reports it
    // TCP: the peer. UDP: the default destination and receive filter (connect).
    std::optional<proto::Endpoint> remote;
    int backlog = 0;

    // What arrived from the gateway and the program has not read yet.
    std::string rx;  // TCP stream bytes
    size_t rx_off = 0;
    bool eof = false;  // the peer's FIN; reads return 0 once rx is empty
    std::deque<Datagram> datagrams;
    size_t datagram_bytes = 0;
    std::deque<std::shared_ptr<Socket>> accept_queue;  // listeners

    int pending_error = 0;  // SO_ERROR: a failed non-blocking connect, an ICMP error
    // A non-blocking connect completed and connect() has not said so yet:
    // like Linux, the next connect() returns 0 once, then EISCONN.
    bool connect_unreported = false;
    int close_error = 0;  // phase closed: errno for calls, 0 for an orderly end
    bool shut_rd = false;
    bool shut_wr = false;

    OptionMap options;

    size_t rx_available() const { return rx.size() - rx_off; }
    bool is_stream() const { return type == SOCK_STREAM; }
    // Whether it has a gateway socket that is still open.
    bool has_gateway_socket() const { return gw != 0 && phase != Phase::closed; }

    // Option helpers.
    int int_option(int level, int name, int fallback) const;
    double timeout_ms(int name) const;  // SO_RCVTIMEO / SO_SNDTIMEO; -1 = none
};

// The fds of the program's sockets. Socket fds are real descriptors of the
// Emscripten file system (each reserves an fd opened on /dev/null), so the
// file system never hands out the same number for a file and the numbers
// look like a native program's (3, 4, ...).
class SocketTable {
public:
    static SocketTable& get();

    // Returns the new fd, or -1 with errno set (EMFILE).
    int add(std::shared_ptr<Socket> s);
    std::shared_ptr<Socket> find(int fd) const;
    // Forgets the fd and releases the descriptor it reserved.
    void remove(int fd);
    std::vector<std::shared_ptr<Socket>> all() const;

private:
    std::map<int, std::shared_ptr<Socket>> by_fd_;
};

}  // namespace sockgate::posix
