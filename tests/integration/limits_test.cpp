// Limits give a clear error (EMFILE, HTTP 503), never a crash or a silent drop.
#include "gateway_fixture.hpp"

using namespace sockgate::testing;

// Named for this file's area, so `ctest -R Limits` selects it.
class Limits : public GatewayTest {};

TEST_F(Limits, SocketLimitGivesEmfileAndFreesOnClose) {
    start_gateway({"--max-sockets", "2"});
    auto c = client();
    auto a = c->bind(std::string("127.0.0.1"), 0);
    auto b = c->bind(std::string("127.0.0.1"), 0);
    ASSERT_TRUE(a && b);
    auto third = c->bind(std::string("127.0.0.1"), 0);
    ASSERT_FALSE(third);
    EXPECT_EQ(third.code(), "EMFILE");
    EXPECT_NE(third.error().message.find("--max-sockets"), std::string::npos);
    TcpEchoServer echo;
    EXPECT_EQ(c->connect("127.0.0.1", echo.port()).code(), "EMFILE");
    ASSERT_TRUE(c->close(a->sock));
    EXPECT_TRUE(c->bind(std::string("127.0.0.1"), 0));
}

TEST_F(Limits, ListenerLimitGivesEmfile) {
    start_gateway({"--max-listeners", "1"});
    auto c = client();
    ASSERT_TRUE(c->listen(std::string("127.0.0.1"), 0));
    auto second = c->listen(std::string("127.0.0.1"), 0);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.code(), "EMFILE");
}

TEST_F(Limits, AcceptBeyondSocketLimitIsReportedAndRefused) {
    start_gateway({"--max-sockets", "2"});
    auto c = client();
    auto l = c->listen(std::string("127.0.0.1"), 0);
    ASSERT_TRUE(l) << l.describe();
    Fd first = tcp_connect("127.0.0.1", l->local.port);
    ASSERT_TRUE(c->wait_accept(l->sock));
    Fd second = tcp_connect("127.0.0.1", l->local.port);
    auto e = c->wait_error();
    ASSERT_TRUE(e) << e.describe();
    EXPECT_EQ(e->error.code, "EMFILE");
    ASSERT_TRUE(e->sock);
    EXPECT_EQ(*e->sock, l->sock);
    EXPECT_TRUE(wait_peer_closed(second)) << "the refused connection should be closed";
}

TEST_F(Limits, SessionLimitRefusesHandshakeWith503) {
    start_gateway({"--max-sessions", "1"});
    auto first = client();
    BlockingClient second;
    auto o = second.open(gw().ws_url());
    ASSERT_FALSE(o);
    EXPECT_EQ(o.code(), "HTTP_503");
    ASSERT_TRUE(first->close_session());
    // Once the first session is gone there is room again.
    wait_for_metric("sockgate_sessions", 0);
    BlockingClient third;
    EXPECT_TRUE(third.start(gw().ws_url()));
}
