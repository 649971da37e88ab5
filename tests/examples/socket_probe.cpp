// Exercises the non-blocking side of the socket API and prints one line per
// observation, so that tests/examples can compare a native run with a wasm
// run line by line: non-blocking connect (EINPROGRESS, then POLLOUT and
// SO_ERROR), EAGAIN from accept/recv/recvfrom, MSG_DONTWAIT, poll and
// select timeouts and readiness, FIONREAD, end of stream, a refused
// connect, UDP without and with data, and IPv6 loopback.
//
// Only plain POSIX calls; every wait is bounded, so a broken layer fails
// instead of hanging. Exit status 0 when every expectation held.
//
// Other modes, for single tests:
//   socket_probe slow-reader HOST PORT MS   connect, sleep MS, then read to
//                                           the end and print the byte count
//   socket_probe stubborn HOST PORT         listen and accept forever,
//                                           ignoring every error
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

static int failures = 0;

static const char* errno_name(int e) {
    switch (e) {
        case 0:
            return "0";
        case EAGAIN:
            return "EAGAIN";
        case EINPROGRESS:
            return "EINPROGRESS";
        case EALREADY:
            return "EALREADY";
        case EISCONN:
            return "EISCONN";
        case ECONNREFUSED:
            return "ECONNREFUSED";
        case ENOTCONN:
            return "ENOTCONN";
        case EBADF:
            return "EBADF";
        case ENOTSOCK:
            return "ENOTSOCK";
        case EINVAL:
            return "EINVAL";
        case EPIPE:
            return "EPIPE";
        case ECONNRESET:
            return "ECONNRESET";
        case EAFNOSUPPORT:
            return "EAFNOSUPPORT";
        case ENOPROTOOPT:
            return "ENOPROTOOPT";
        case EADDRINUSE:
            return "EADDRINUSE";
        default:
            return "other";
    }
}

static void report(const char* what, bool ok, const char* detail) {
    printf("%s: %s%s%s\n", what, ok ? "ok" : "FAILED", detail[0] ? " " : "", detail);
    fflush(stdout);
    if (!ok) ++failures;
}

// Reports a call that must fail with `expected`.
static void expect_errno(const char* what, long r, int expected) {
    char detail[64];
    const int e = r < 0 ? errno : 0;
    snprintf(detail, sizeof detail, "(%s)", r < 0 ? errno_name(e) : "no error");
    report(what, r < 0 && e == expected, detail);
}

static sockaddr_in loopback4(unsigned short port) {
    sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static unsigned short port_of(int fd) {
    sockaddr_storage a;
    socklen_t len = sizeof a;
    if (getsockname(fd, (sockaddr*)&a, &len) < 0) return 0;
    if (a.ss_family == AF_INET6) return ntohs(((sockaddr_in6*)&a)->sin6_port);
    return ntohs(((sockaddr_in*)&a)->sin_port);
}

static short poll_one(int fd, short events, int timeout_ms) {
    pollfd p = {fd, events, 0};
    const int r = poll(&p, 1, timeout_ms);
    return r > 0 ? p.revents : 0;
}

static int tcp_listener(int family) {
    int fd = socket(family, SOCK_STREAM, 0);
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    int r;
    if (family == AF_INET6) {
        sockaddr_in6 a;
        memset(&a, 0, sizeof a);
        a.sin6_family = AF_INET6;
        a.sin6_addr = in6addr_loopback;
        r = bind(fd, (sockaddr*)&a, sizeof a);
    } else {
        sockaddr_in a = loopback4(0);
        r = bind(fd, (sockaddr*)&a, sizeof a);
    }
    if (r < 0 || listen(fd, 4) < 0) {
        perror("listener");
        exit(2);
    }
    return fd;
}

static void tcp_checks() {
    const int listener = tcp_listener(AF_INET);
    const unsigned short port = port_of(listener);
    report("listen on an ephemeral port", port != 0, "");

    // accept on a non-blocking listener with nobody connecting.
    fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK);
    report("F_GETFL shows O_NONBLOCK", (fcntl(listener, F_GETFL) & O_NONBLOCK) != 0, "");
    expect_errno("accept without a client", accept(listener, NULL, NULL), EAGAIN);
    report("poll listener without a client", poll_one(listener, POLLIN, 0) == 0, "");

    // Non-blocking connect: EINPROGRESS, then writable with SO_ERROR 0.
    const int client = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in to = loopback4(port);
    const int cr = connect(client, (sockaddr*)&to, sizeof to);
    report("non-blocking connect starts", cr < 0 && errno == EINPROGRESS,
           cr < 0 ? errno_name(errno) : "(connected at once)");
    const short wev = poll_one(client, POLLOUT, 5000);
    report("connecting socket becomes writable", (wev & POLLOUT) != 0 && !(wev & POLLERR), "");
    int soerr = -1;
    socklen_t len = sizeof soerr;
    getsockopt(client, SOL_SOCKET, SO_ERROR, &soerr, &len);
    report("SO_ERROR after connect", soerr == 0, errno_name(soerr));
    // Linux reports the completion once more through connect(), then EISCONN.
    report("connect again completes", connect(client, (sockaddr*)&to, sizeof to) == 0, "");
    expect_errno("connect once more", connect(client, (sockaddr*)&to, sizeof to), EISCONN);

    // The listener becomes readable; accept succeeds.
    report("listener readable", (poll_one(listener, POLLIN, 5000) & POLLIN) != 0, "");
    const int server = accept(listener, NULL, NULL);
    report("accept", server >= 0, "");
    report("accepted socket is blocking", (fcntl(server, F_GETFL) & O_NONBLOCK) == 0, "");
    int type = 0;
    len = sizeof type;
    getsockopt(server, SOL_SOCKET, SO_TYPE, &type, &len);
    report("SO_TYPE", type == SOCK_STREAM, "");
    int nodelay = 1;
    report("TCP_NODELAY", setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof nodelay) == 0, "");

    // No data yet: EAGAIN, MSG_DONTWAIT, poll and select time out.
    char buf[64];
    expect_errno("recv without data", recv(client, buf, sizeof buf, 0), EAGAIN);
    expect_errno("recv MSG_DONTWAIT on a blocking socket", recv(server, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    report("poll POLLIN times out", poll_one(client, POLLIN, 50) == 0, "");
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(client, &readable);
    timeval tv = {0, 50000};
    report("select times out", select(client + 1, &readable, NULL, NULL, &tv) == 0, "");
    report("writable at once", (poll_one(client, POLLOUT, 0) & POLLOUT) != 0, "");

    // Data arrives: poll, select, FIONREAD and recv see it.
    send(server, "ping", 4, 0);
    report("poll POLLIN sees data", (poll_one(client, POLLIN, 5000) & POLLIN) != 0, "");
    FD_ZERO(&readable);
    FD_SET(client, &readable);
    tv = {5, 0};
    report("select sees data", select(client + 1, &readable, NULL, NULL, &tv) == 1 && FD_ISSET(client, &readable), "");
    int pending = 0;
    ioctl(client, FIONREAD, &pending);
    report("FIONREAD", pending == 4, "");
    ssize_t n = recv(client, buf, 2, MSG_PEEK);
    report("MSG_PEEK", n == 2 && memcmp(buf, "pi", 2) == 0, "");
    n = recv(client, buf, sizeof buf, 0);
    report("recv data", n == 4 && memcmp(buf, "ping", 4) == 0, "");
    expect_errno("recv drained", recv(client, buf, sizeof buf, 0), EAGAIN);

    // The other direction, blocking read on the server side.
    const char* pong = "pong";
    report("send", send(client, pong, 4, 0) == 4, "");
    n = recv(server, buf, 4, MSG_WAITALL);
    report("recv MSG_WAITALL", n == 4 && memcmp(buf, "pong", 4) == 0, "");

    // read() and write() work on sockets too.
    report("write on a socket", write(client, "abc", 3) == 3, "");
    n = read(server, buf, 3);
    report("read on a socket", n == 3 && memcmp(buf, "abc", 3) == 0, "");

    // End of stream: the peer's shutdown makes the socket readable with 0.
    shutdown(server, SHUT_WR);
    report("poll sees end of stream", (poll_one(client, POLLIN, 5000) & POLLIN) != 0, "");
    report("recv returns 0 at end of stream", recv(client, buf, sizeof buf, 0) == 0, "");
    expect_errno("send after shutdown", send(server, "x", 1, MSG_NOSIGNAL), EPIPE);

    close(client);
    close(server);

    // A refused connect: a port nobody listens on (the listener's, closed).
    close(listener);
    const int refused = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const int rr = connect(refused, (sockaddr*)&to, sizeof to);
    const bool started = rr < 0 && (errno == EINPROGRESS || errno == ECONNREFUSED);
    report("refused connect starts", started, "");
    if (rr < 0 && errno == EINPROGRESS) {
        const short ev = poll_one(refused, POLLOUT, 5000);
        report("refused connect polls ready with POLLERR", (ev & POLLOUT) && (ev & POLLERR), "");
        soerr = 0;
        len = sizeof soerr;
        getsockopt(refused, SOL_SOCKET, SO_ERROR, &soerr, &len);
        report("SO_ERROR after refused connect", soerr == ECONNREFUSED, errno_name(soerr));
    } else {
        report("refused connect polls ready with POLLERR", true, "");
        report("SO_ERROR after refused connect", true, errno_name(ECONNREFUSED));
    }
    close(refused);

    // A blocking connect that is refused.
    const int blocking = socket(AF_INET, SOCK_STREAM, 0);
    expect_errno("blocking connect refused", connect(blocking, (sockaddr*)&to, sizeof to), ECONNREFUSED);
    close(blocking);
    expect_errno("recv on a closed fd", recv(blocking, buf, sizeof buf, 0), EBADF);
}

// Moves `total` bytes each way through one connection with non-blocking
// sockets and poll, checking every byte: exercises send-side EAGAIN, the
// flow-control credit in both directions and partial reads and writes.
static void bulk_transfer() {
    const int listener = tcp_listener(AF_INET);
    sockaddr_in to = loopback4(port_of(listener));
    const int a = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(a, (sockaddr*)&to, sizeof to) < 0) {
        report("bulk transfer", false, "(connect)");
        return;
    }
    const int b = accept(listener, NULL, NULL);
    close(listener);
    fcntl(a, F_SETFL, O_NONBLOCK);
    fcntl(b, F_SETFL, O_NONBLOCK);

    const size_t total = 4 << 20;
    static char chunk[65536];
    size_t sent[2] = {0, 0}, received[2] = {0, 0};
    bool corrupt = false;
    const int fds[2] = {a, b};
    for (int rounds = 0; rounds < 100000; ++rounds) {
        if (received[0] == total && received[1] == total) break;
        pollfd p[2];
        for (int i = 0; i < 2; ++i) {
            p[i].fd = fds[i];
            p[i].events = POLLIN | (sent[i] < total ? POLLOUT : 0);
            p[i].revents = 0;
        }
        if (poll(p, 2, 5000) <= 0) break;
        for (int i = 0; i < 2; ++i) {
            if ((p[i].revents & POLLOUT) && sent[i] < total) {
                // Byte k of the stream is (k * 7 + i) % 251: position-dependent.
                size_t n = total - sent[i] < sizeof chunk ? total - sent[i] : sizeof chunk;
                for (size_t k = 0; k < n; ++k) chunk[k] = char(((sent[i] + k) * 7 + i) % 251);
                ssize_t w = send(fds[i], chunk, n, 0);
                if (w > 0)
                    sent[i] += size_t(w);
                else if (w < 0 && errno != EAGAIN)
                    break;
            }
            if (p[i].revents & POLLIN) {
                char in[65536];
                ssize_t r = recv(fds[i], in, sizeof in, 0);
                const int from = 1 - i;  // what i receives, the other one sent
                for (ssize_t k = 0; k < r; ++k)
                    if (in[k] != char(((received[i] + size_t(k)) * 7 + from) % 251)) corrupt = true;
                if (r > 0) received[i] += size_t(r);
            }
        }
    }
    report("bulk transfer, 4 MiB each way", received[0] == total && received[1] == total && !corrupt, "");
    close(a);
    close(b);
}

// Files keep working through the same calls (close, read, write, fcntl,
// poll), and options read back as set.
// A TCP port in use fails at bind(), as POSIX has it, not at listen(); a
// bound port has its number at once; accept() before listen() is EINVAL;
// a bound socket may still connect instead of listening.
static void bind_checks() {
    const int listener = tcp_listener(AF_INET);
    const unsigned short port = port_of(listener);
    const int second = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in same = loopback4(port);
    expect_errno("bind a TCP port in use", bind(second, (sockaddr*)&same, sizeof same), EADDRINUSE);
    close(second);

    sockaddr_in any_port = loopback4(0);
    const int bound = socket(AF_INET, SOCK_STREAM, 0);
    const int br = bind(bound, (sockaddr*)&any_port, sizeof any_port);
    report("bind an ephemeral TCP port", br == 0, br == 0 ? "" : errno_name(errno));
    report("a bound port has its number at once", port_of(bound) != 0, "");
    expect_errno("accept before listen", accept(bound, NULL, NULL), EINVAL);
    const int lr = listen(bound, 4);
    report("listen after bind", lr == 0, lr == 0 ? "" : errno_name(errno));
    close(bound);

    const int dialer = socket(AF_INET, SOCK_STREAM, 0);
    const int dr = bind(dialer, (sockaddr*)&any_port, sizeof any_port);
    report("bind before connect", dr == 0, dr == 0 ? "" : errno_name(errno));
    sockaddr_in to = loopback4(port);
    const int cr = connect(dialer, (sockaddr*)&to, sizeof to);
    report("a bound socket connects", cr == 0, cr == 0 ? "" : errno_name(errno));
    const int served = accept(listener, NULL, NULL);
    report("its connection is accepted", served >= 0, served >= 0 ? "" : errno_name(errno));
    close(served);
    close(dialer);
    close(listener);
}

static void fd_checks() {
    char path[] = "/tmp/socket_probe_XXXXXX";
    const int fd = mkstemp(path);
    report("a file next to sockets", fd >= 0, "");
    report("write a file", write(fd, "file data", 9) == 9, "");
    lseek(fd, 0, SEEK_SET);
    char buf[16] = {0};
    report("read a file", read(fd, buf, sizeof buf) == 9 && memcmp(buf, "file data", 9) == 0, "");
    report("poll a file", (poll_one(fd, POLLIN, 0) & POLLIN) != 0, "");
    int one = 1;
    expect_errno("setsockopt on a file", setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), ENOTSOCK);
    report("close a file", close(fd) == 0, "");
    unlink(path);
    expect_errno("close a closed fd", close(fd), EBADF);

    const int s = socket(AF_INET, SOCK_STREAM, 0);
    int v = 1;
    socklen_t len = sizeof v;
    setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v);
    v = 0;
    getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, &len);
    report("SO_KEEPALIVE reads back", v == 1, "");
    timeval tv = {2, 500000};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    timeval back = {0, 0};
    len = sizeof back;
    getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &back, &len);
    report("SO_RCVTIMEO reads back", back.tv_sec == 2 && back.tv_usec == 500000, "");
    int nb = 1;
    ioctl(s, FIONBIO, &nb);
    report("FIONBIO sets O_NONBLOCK", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0, "");
    expect_errno("unknown option", setsockopt(s, SOL_SOCKET, 12345, &v, sizeof v), ENOPROTOOPT);
    close(s);
}

static void udp_checks() {
    const int a = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in here = loopback4(0);
    report("bind UDP", bind(a, (sockaddr*)&here, sizeof here) == 0, "");
    const unsigned short port = port_of(a);
    report("UDP ephemeral port", port != 0, "");

    char buf[64];
    expect_errno("recvfrom without data", recvfrom(a, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL), EAGAIN);

    // An unbound socket sends: it gets bound implicitly.
    const int b = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in to = loopback4(port);
    report("sendto from an unbound socket", sendto(b, "hello", 5, 0, (sockaddr*)&to, sizeof to) == 5, "");
    report("implicitly bound", port_of(b) != 0, "");
    report("poll sees a datagram", (poll_one(a, POLLIN, 5000) & POLLIN) != 0, "");
    int pending = 0;
    ioctl(a, FIONREAD, &pending);
    report("FIONREAD datagram", pending == 5, "");
    sockaddr_in from;
    socklen_t from_len = sizeof from;
    ssize_t n = recvfrom(a, buf, 3, 0, (sockaddr*)&from, &from_len);
    report("datagram truncated to the buffer", n == 3 && memcmp(buf, "hel", 3) == 0, "");
    report("source is the sender's port", ntohs(from.sin_port) == port_of(b), "");
    expect_errno("rest of the datagram is gone", recv(a, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

    // connect() sets the default destination: send/recv without addresses.
    report("connect UDP", connect(b, (sockaddr*)&to, sizeof to) == 0, "");
    report("send on connected UDP", send(b, "again", 5, 0) == 5, "");
    n = recv(a, buf, sizeof buf, 0);
    report("recv on bound UDP", n == 5 && memcmp(buf, "again", 5) == 0, "");
    sockaddr_in peer;
    socklen_t peer_len = sizeof peer;
    report("getpeername UDP", getpeername(b, (sockaddr*)&peer, &peer_len) == 0 && ntohs(peer.sin_port) == port, "");
    close(a);
    close(b);

    // A burst of datagrams nobody reads yet: every sendto succeeds (some
    // datagrams may be dropped, as UDP allows), and none blocks for long.
    const int sink = socket(AF_INET, SOCK_DGRAM, 0);
    bind(sink, (sockaddr*)&here, sizeof here);
    const int burst = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in sink_address = loopback4(port_of(sink));
    static char payload[1000];
    int sent = 0;
    for (int i = 0; i < 5000; ++i)
        if (sendto(burst, payload, sizeof payload, 0, (sockaddr*)&sink_address, sizeof sink_address) ==
            (ssize_t)sizeof payload)
            ++sent;
    report("burst of 5000 datagrams sent", sent == 5000, "");
    report("some of the burst arrives", (poll_one(sink, POLLIN, 5000) & POLLIN) != 0, "");
    close(sink);
    close(burst);
}

static void ipv6_checks() {
    // An IPv4 address where an IPv6 socket wants one: too short for TCP,
    // fine for a UDP datagram, as Linux has it.
    sockaddr_in v4 = loopback4(9);
    const int t6 = socket(AF_INET6, SOCK_STREAM, 0);
    expect_errno("IPv4 address for an IPv6 TCP connect", connect(t6, (sockaddr*)&v4, sizeof v4), EINVAL);
    close(t6);
    sockaddr_in6 v6;
    memset(&v6, 0, sizeof v6);
    v6.sin6_family = AF_INET6;
    v6.sin6_addr = in6addr_loopback;
    v6.sin6_port = htons(9);
    const int t4 = socket(AF_INET, SOCK_STREAM, 0);
    expect_errno("IPv6 address for an IPv4 TCP connect", connect(t4, (sockaddr*)&v6, sizeof v6), EAFNOSUPPORT);
    close(t4);

    const int listener = tcp_listener(AF_INET6);
    const unsigned short port = port_of(listener);
    const int client = socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 to;
    memset(&to, 0, sizeof to);
    to.sin6_family = AF_INET6;
    to.sin6_addr = in6addr_loopback;
    to.sin6_port = htons(port);
    report("IPv6 connect", connect(client, (sockaddr*)&to, sizeof to) == 0, "");
    sockaddr_in6 peer;
    socklen_t peer_len = sizeof peer;
    const int server = accept(listener, (sockaddr*)&peer, &peer_len);
    report("IPv6 accept", server >= 0 && peer.sin6_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&peer.sin6_addr), "");
    close(client);
    close(server);
    close(listener);
}

static int connect_to(const char* host, const char* port) {
    addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = NULL;
    if (getaddrinfo(host, port, &hints, &res) != 0) return -1;
    int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

// Connects, reads nothing for a while (the sender must be held back), then
// reads to the end of the stream.
static int slow_reader(const char* host, const char* port, int ms) {
    const int fd = connect_to(host, port);
    if (fd < 0) {
        perror("connect");
        return 1;
    }
    printf("connected\n");
    fflush(stdout);
    usleep(useconds_t(ms) * 1000);
    printf("reading\n");
    fflush(stdout);
    static char buf[65536];
    unsigned long long total = 0;
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0) {
            perror("recv");
            return 1;
        }
        if (n == 0) break;
        total += (unsigned long long)n;
    }
    printf("received %llu bytes\n", total);
    fflush(stdout);
    close(fd);
    return 0;
}

// A server that ignores every error and tries again: what a careless
// program does when its session is stopped.
static int stubborn(const char* host, const char* port) {
    addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* res = NULL;
    if (getaddrinfo(host, port, &hints, &res) != 0) return 1;
    const int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 4) < 0) {
        perror("listen");
        return 1;
    }
    freeaddrinfo(res);
    printf("listening\n");
    fflush(stdout);
    for (;;) {
        const int c = accept(fd, NULL, NULL);
        if (c < 0) {
            perror("accept");
            continue;
        }
        close(c);
    }
}

// Prints what getaddrinfo answers, one line: the code's text and each
// result's address, port, socket type and canonical name.
static void show_getaddrinfo(const char* node, const char* service, int family, int socktype, int flags) {
    addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_flags = flags;
    addrinfo* res = NULL;
    const int rc = getaddrinfo(node, service, &hints, &res);
    printf("getaddrinfo(%s, %s, family %d, type %d, flags %#x): %s", node ? node : "NULL", service ? service : "NULL",
           family, socktype, flags, rc == 0 ? "ok" : gai_strerror(rc));
    for (addrinfo* p = res; p != NULL; p = p->ai_next) {
        char ip[INET6_ADDRSTRLEN] = "?";
        unsigned port = 0;
        if (p->ai_family == AF_INET6) {
            inet_ntop(AF_INET6, &((sockaddr_in6*)p->ai_addr)->sin6_addr, ip, sizeof ip);
            port = ntohs(((sockaddr_in6*)p->ai_addr)->sin6_port);
        } else {
            inet_ntop(AF_INET, &((sockaddr_in*)p->ai_addr)->sin_addr, ip, sizeof ip);
            port = ntohs(((sockaddr_in*)p->ai_addr)->sin_port);
        }
        printf(" [%s port %u type %d%s%s]", ip, port, p->ai_socktype, p->ai_canonname ? " " : "",
               p->ai_canonname ? p->ai_canonname : "");
    }
    printf("\n");
    fflush(stdout);
    if (res) freeaddrinfo(res);
}

// Name and address lookups that need no network beyond the host's own
// files: numeric forms, the null host, "localhost" (which the wasm build
// resolves through the gateway), service names, flags and error codes.
static void resolver_checks() {
    show_getaddrinfo("127.0.0.1", "8080", AF_UNSPEC, SOCK_STREAM, 0);
    show_getaddrinfo("127.1", "echo", AF_INET, SOCK_DGRAM, 0);
    show_getaddrinfo("::1", "443", AF_UNSPEC, SOCK_STREAM, 0);
    show_getaddrinfo("::1", NULL, AF_INET, SOCK_STREAM, 0);
    show_getaddrinfo(NULL, "80", AF_UNSPEC, SOCK_STREAM, AI_PASSIVE);
    show_getaddrinfo(NULL, "80", AF_UNSPEC, SOCK_STREAM, 0);
    show_getaddrinfo("localhost", "http", AF_UNSPEC, SOCK_STREAM, AI_CANONNAME);
    show_getaddrinfo("localhost", "12345", AF_INET, SOCK_DGRAM, 0);
    show_getaddrinfo("localhost", NULL, AF_INET6, SOCK_STREAM, AI_V4MAPPED);
    show_getaddrinfo("127.0.0.1", "x", AF_UNSPEC, SOCK_STREAM, AI_NUMERICSERV);
    show_getaddrinfo("127.0.0.1", "nosuchservice", AF_UNSPEC, SOCK_STREAM, 0);
    show_getaddrinfo("1.2.3.4.5", NULL, AF_UNSPEC, SOCK_STREAM, AI_NUMERICHOST);
    show_getaddrinfo(NULL, NULL, AF_UNSPEC, SOCK_STREAM, 0);
    hostent* h = gethostbyname("localhost");
    char ip[INET_ADDRSTRLEN] = "?";
    if (h && h->h_addr_list[0]) inet_ntop(AF_INET, h->h_addr_list[0], ip, sizeof ip);
    printf("gethostbyname(localhost): %s\n", h ? ip : "failed");
    fflush(stdout);
}

int main(int argc, char** argv) {
    if (argc == 5 && strcmp(argv[1], "slow-reader") == 0) return slow_reader(argv[2], argv[3], atoi(argv[4]));
    if (argc == 4 && strcmp(argv[1], "stubborn") == 0) return stubborn(argv[2], argv[3]);
    tcp_checks();
    bind_checks();
    bulk_transfer();
    fd_checks();
    udp_checks();
    ipv6_checks();
    resolver_checks();
    printf("%s\n", failures == 0 ? "all checks passed" : "some checks failed");
    fflush(stdout);
    return failures == 0 ? 0 : 1;
}
