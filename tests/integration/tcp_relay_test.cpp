// TCP through the gateway: connect, listen/accept, half-close, resets, and
// what the session's end does to its sockets.
#include "gateway_fixture.hpp"
#include "support/wait.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <set>
#include <thread>

using namespace sockgate::testing;
using sockgate::client::ClientOptions;

// Named for this file's area, so `ctest -R TcpRelay` selects it.
class TcpRelay : public GatewayTest {};

TEST_F(TcpRelay, ConnectEchoesTenMebibytesIntact) {
    TcpEchoServer echo;
    auto c = client();
    auto s = c->connect("127.0.0.1", echo.port());
    ASSERT_TRUE(s) << s.describe();
    const std::string payload = pattern_bytes(10 << 20, 1);
    ASSERT_TRUE(c->send(s->sock, payload));
    auto back = c->read_exactly(s->sock, payload.size(), 60s);
    ASSERT_TRUE(back) << back.describe();
    EXPECT_EQ(back->size(), payload.size());
    EXPECT_EQ(fnv1a(*back), fnv1a(payload));
    const std::string m = metrics();
    EXPECT_EQ(metric(m, "sockgate_bytes_relayed_total{direction=\"from_client\"}"), 10 << 20);
    EXPECT_EQ(metric(m, "sockgate_bytes_relayed_total{direction=\"to_client\"}"), 10 << 20);
}

// The native client's WebSocket had two reads in flight after a pause and a
// resume with nothing received in between, and garbled the next burst
// (support/websocketpp/internals.hpp).
TEST_F(TcpRelay, ClientPausedAndResumedWhileIdleReadsTheNextBurstWhole) {
    auto c = client();
    auto s = connect_to_native_peer(*c);
    ASSERT_NE(s.sock, 0u);
    c->pause_reading();
    c->resume_reading();
    const std::string data = pattern_bytes(256 * 1024, 11);  // one window: it arrives in one burst
    ASSERT_TRUE(write_all(s.peer, data));
    auto got = c->read_exactly(s.sock, data.size(), 10s);
    ASSERT_TRUE(got) << got.describe();
    EXPECT_EQ(fnv1a(*got), fnv1a(data));
    EXPECT_TRUE(c->session_open());
}

TEST_F(TcpRelay, ConnectReportsBothEndpoints) {
    TcpEchoServer echo;
    auto c = client();
    auto s = c->connect("127.0.0.1", echo.port());
    ASSERT_TRUE(s) << s.describe();
    ASSERT_TRUE(s->remote);
    EXPECT_EQ(s->remote->addr, "127.0.0.1");
    EXPECT_EQ(s->remote->port, echo.port());
    EXPECT_EQ(s->local.addr, "127.0.0.1");
    EXPECT_NE(s->local.port, 0);
    EXPECT_GE(s->sock, 1u);
}

TEST_F(TcpRelay, ConnectByNameUsesResolvedAddress) {
    TcpEchoServer echo;
    auto c = client();
    auto s = c->connect("localhost", echo.port());
    ASSERT_TRUE(s) << s.describe();
    EXPECT_EQ(s->remote->addr, "127.0.0.1");
}

TEST_F(TcpRelay, ConnectToClosedPortIsRefused) {
    uint16_t port = 0;
    { Fd probe = tcp_listen("127.0.0.1", port); }  // a port that was free a moment ago and is closed now
    auto c = client();
    auto s = c->connect("127.0.0.1", port);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.code(), "ECONNREFUSED");
}

TEST_F(TcpRelay, ConnectThatGetsNoAnswerTimesOut) {
    // A listener whose accept queue is full drops new SYNs, so a connect to
    // it hangs: the gateway must give up at the requested timeout.
    uint16_t port = 0;
    Fd full = tcp_listen("127.0.0.1", port);
    ::listen(full.get(), 0);
    std::vector<Fd> fillers;
    for (int i = 0; i < 4; ++i) {
        Fd f(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::connect(f.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
        fillers.push_back(std::move(f));
    }
    // The first filler's handshake completes into the one-entry accept queue;
    // from then on the listener drops SYNs. Wait for that, not for a time.
    ASSERT_TRUE(wait_until(
        [&] {
            pollfd p{fillers.front().get(), POLLOUT, 0};
            return ::poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
        },
        5s))
        << "the listener's accept queue never filled";
    auto c = client();
    sockgate::proto::ConnectRequest req;
    req.host = "127.0.0.1";
    req.port = port;
    req.timeout_ms = 300;
    const auto started = std::chrono::steady_clock::now();
    auto s = c->connect(req);
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(s);
    EXPECT_EQ(s.code(), "ETIMEDOUT") << s.describe();
    EXPECT_LT(took, 3s);
}

TEST_F(TcpRelay, ListenAcceptsNativeClientBothDirections) {
    auto c = client();
    auto l = c->listen(std::string("127.0.0.1"), 0);
    ASSERT_TRUE(l) << l.describe();
    ASSERT_NE(l->local.port, 0);
    Fd native = tcp_connect("127.0.0.1", l->local.port);
    ASSERT_TRUE(native);
    auto a = c->wait_accept(l->sock);
    ASSERT_TRUE(a) << a.describe();
    EXPECT_EQ(a->listener, l->sock);
    EXPECT_NE(a->sock, l->sock);
    EXPECT_EQ(a->local.port, l->local.port);
    EXPECT_EQ(a->remote.addr, "127.0.0.1");

    ASSERT_TRUE(write_all(native, "from native"));
    auto got = c->read_exactly(a->sock, 11);
    ASSERT_TRUE(got) << got.describe();
    EXPECT_EQ(*got, "from native");

    ASSERT_TRUE(c->send(a->sock, "from browser"));
    EXPECT_EQ(read_exactly(native, 12), "from browser");
    EXPECT_EQ(metric(metrics(), "sockgate_tcp_accepted_total"), 1);
}

TEST_F(TcpRelay, ListenerAcceptsManyConnections) {
    auto c = client();
    auto l = c->listen(std::string("127.0.0.1"), 0);
    ASSERT_TRUE(l) << l.describe();
    std::vector<Fd> natives;
    for (int i = 0; i < 5; ++i) natives.push_back(tcp_connect("127.0.0.1", l->local.port));
    std::set<uint32_t> ids;
    for (int i = 0; i < 5; ++i) {
        auto a = c->wait_accept(l->sock);
        ASSERT_TRUE(a) << a.describe();
        ids.insert(a->sock);
    }
    EXPECT_EQ(ids.size(), 5u);
}

TEST_F(TcpRelay, ClosingListenerKeepsAcceptedSockets) {
    auto c = client();
    auto l = c->listen(std::string("127.0.0.1"), 0);
    ASSERT_TRUE(l) << l.describe();
    Fd native = tcp_connect("127.0.0.1", l->local.port);
    auto a = c->wait_accept(l->sock);
    ASSERT_TRUE(a) << a.describe();
    ASSERT_TRUE(c->close(l->sock));
    EXPECT_FALSE(tcp_connect("127.0.0.1", l->local.port)) << "the listening port should be closed";
    ASSERT_TRUE(write_all(native, "still here"));
    auto got = c->read_exactly(a->sock, 10);
    ASSERT_TRUE(got) << got.describe();
    EXPECT_EQ(*got, "still here");
}

TEST_F(TcpRelay, ShutdownSendsFinAfterQueuedDataAndKeepsReceiving) {
    auto c = client();
    auto [sock, peer] = connect_to_native_peer(*c);
    ASSERT_NE(sock, 0u);

    const std::string data = pattern_bytes(1 << 20, 7);
    ASSERT_TRUE(c->send(sock, data));
    ASSERT_TRUE(c->shutdown(sock, 30s));
    auto all = read_to_eof(peer);
    ASSERT_TRUE(all) << "the peer never saw FIN";
    EXPECT_EQ(fnv1a(*all), fnv1a(data));

    // The other direction still works after our half-close.
    ASSERT_TRUE(write_all(peer, "reply after fin"));
    shutdown_write(peer);
    auto reply = c->read_to_eof(sock);
    ASSERT_TRUE(reply) << reply.describe();
    EXPECT_EQ(*reply, "reply after fin");
}

TEST_F(TcpRelay, PeerFinArrivesAsEofEvent) {
    auto c = client();
    auto [sock, peer] = connect_to_native_peer(*c);
    ASSERT_NE(sock, 0u);
    ASSERT_TRUE(write_all(peer, "last words"));
    shutdown_write(peer);
    ASSERT_TRUE(c->wait_eof(sock));
    auto rest = c->read_to_eof(sock);
    ASSERT_TRUE(rest) << rest.describe();
    EXPECT_EQ(*rest, "last words");
    // Our direction is still open.
    ASSERT_TRUE(c->send(sock, "ack"));
    EXPECT_EQ(read_exactly(peer, 3), "ack");
}

TEST_F(TcpRelay, PeerResetClosesSocketWithEconnreset) {
    auto c = client();
    auto [sock, peer] = connect_to_native_peer(*c);
    ASSERT_NE(sock, 0u);
    close_with_reset(peer);
    auto closed = c->wait_closed(sock);
    ASSERT_TRUE(closed) << closed.describe();
    ASSERT_TRUE(closed->has_value());
    EXPECT_EQ((*closed)->code, "ECONNRESET");
    // The session carries on.
    TcpEchoServer echo;
    EXPECT_TRUE(c->connect("127.0.0.1", echo.port()));
}

TEST_F(TcpRelay, CloseFlushesQueuedDataToPeer) {
    auto c = client();
    auto [sock, peer] = connect_to_native_peer(*c);
    ASSERT_NE(sock, 0u);
    const std::string data = pattern_bytes(200000, 3);
    ASSERT_TRUE(c->send(sock, data));
    ASSERT_TRUE(c->drain(sock, 10s));
    ASSERT_TRUE(c->close(sock));
    auto all = read_to_eof(peer);
    ASSERT_TRUE(all);
    EXPECT_EQ(fnv1a(*all), fnv1a(data));
}

TEST_F(TcpRelay, UnknownSocketOperationsGiveEbadf) {
    auto c = client();
    EXPECT_EQ(c->close(999).code(), "EBADF");
    auto r = c->request("shutdown", {{"sock", 999}});
    EXPECT_EQ(r.code(), "EBADF");
}

TEST_F(TcpRelay, SocketIdsAreNeverReused) {
    TcpEchoServer echo;
    auto c = client();
    std::set<uint32_t> seen;
    for (int i = 0; i < 5; ++i) {
        auto s = c->connect("127.0.0.1", echo.port());
        ASSERT_TRUE(s) << s.describe();
        EXPECT_TRUE(seen.insert(s->sock).second) << "socket id " << s->sock << " reused";
        ASSERT_TRUE(c->close(s->sock));
    }
}

TEST_F(TcpRelay, SessionCloseFreesListeningPortAtOnce) {
    uint16_t port = 0;
    Fd peer;
    {
        auto c = client();
        auto l = c->listen(std::string("127.0.0.1"), 0);
        ASSERT_TRUE(l) << l.describe();
        port = l->local.port;
        peer = tcp_connect("127.0.0.1", port);
        ASSERT_TRUE(c->wait_accept(l->sock));
        ASSERT_TRUE(c->close_session());
    }
    // The accepted connection was closed with the session...
    EXPECT_TRUE(wait_peer_closed(peer));
    // ...and the port can be listened on again right away, by a new session.
    auto c2 = client();
    auto again = c2->listen(std::string("127.0.0.1"), port);
    ASSERT_TRUE(again) << again.describe();
    EXPECT_EQ(again->local.port, port);
    const auto h = nlohmann::json::parse(gw().get("/healthz").body);
    EXPECT_EQ(h.at("sessions"), 1);
    EXPECT_EQ(h.at("sockets"), 1);
}

TEST_F(TcpRelay, VanishedBrowserClosesItsSockets) {
    // sockgate-cat stands in for a browser tab that is killed: its TCP
    // connection to the gateway ends without a WebSocket close frame.
    uint16_t port = 0;
    Fd listener = tcp_listen("127.0.0.1", port);
    ChildProcess cat(SOCKGATE_CAT_BIN, {gw().ws_url(), "tcp", "127.0.0.1", std::to_string(port)});
    Fd peer = tcp_accept(listener, 10s);
    ASSERT_TRUE(peer) << "sockgate-cat did not connect through the gateway";
    ASSERT_TRUE(cat.write_stdin("before the crash\n"));
    EXPECT_EQ(read_exactly(peer, 17), "before the crash\n");
    cat.kill_hard();
    EXPECT_TRUE(wait_peer_closed(peer, 10s)) << "the gateway kept the vanished session's socket open";
    EXPECT_EQ(wait_for_metric("sockgate_sessions", 0), 0);
    EXPECT_EQ(metric(metrics(), "sockgate_sockets{kind=\"tcp\"}"), 0);
}

TEST_F(TcpRelay, SilentBrowserIsDroppedWhenItMissesPongs) {
    // A client that completes the handshake, then never reads again: like a
    // laptop that went to sleep with the tab open.
    start_gateway({"--ping-interval-ms", "200"});
    Fd silent = tcp_connect("127.0.0.1", gw().port());
    ASSERT_TRUE(silent);
    ASSERT_TRUE(write_all(silent,
                          "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                          "Sec-WebSocket-Protocol: sockgate.v1\r\n\r\n"));
    ASSERT_NE(read_exactly(silent, 12, 5s), "") << "no handshake response";
    EXPECT_EQ(metric(metrics(), "sockgate_sessions"), 1);
    EXPECT_EQ(wait_for_metric("sockgate_sessions", 0), 0) << "the silent session was never dropped";
}

TEST_F(TcpRelay, AnsweringBrowserSurvivesPings) {
    start_gateway({"--ping-interval-ms", "100"});
    TcpEchoServer echo;
    auto c = client();
    // Six ping intervals: a client that failed to answer would be dropped well
    // within them.
    constexpr auto six_ping_intervals = 600ms;
    EXPECT_TRUE(stays_true_for([&] { return metric(metrics(), "sockgate_sessions") == 1; }, six_ping_intervals))
        << "the session of a client that answers pings was dropped";
    EXPECT_TRUE(c->connect("127.0.0.1", echo.port())) << "a client that answers pings must stay connected";
}

TEST_F(TcpRelay, DemoEchoServiceAnswersTcp) {
    auto c = client();
    auto s = c->connect("127.0.0.1", gw().demo_port());
    ASSERT_TRUE(s) << s.describe();
    ASSERT_TRUE(c->send(s->sock, "hello demo\n"));
    auto back = c->read_exactly(s->sock, 11);
    ASSERT_TRUE(back) << back.describe();
    EXPECT_EQ(*back, "hello demo\n");
}
