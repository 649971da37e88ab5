// Deny by default: destinations, listening and binding, tokens, origins.
// Denied targets are other loopback addresses and ports, never the network.
#include "gateway_fixture.hpp"

#include <thread>

using namespace sockgate::testing;
using sockgate::client::TransportOptions;

// Named for this file's area, so `ctest -R AccessControl` selects it.
class AccessControl : public GatewayTest {};

TEST_F(AccessControl, DeniedDestinationNamesTheRuleToAdd) {
    uint16_t port = 0;
    Fd listener = tcp_listen("127.0.0.2", port);
    start_gateway({"--allow", "tcp:127.0.0.1/32:*"});
    auto c = client();
    auto s = c->connect("127.0.0.2", port);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.code(), "EACCES");
    EXPECT_NE(s.error().message.find("--allow"), std::string::npos) << s.error().message;
    EXPECT_FALSE(tcp_accept(listener, 300ms)) << "a denied connect must not reach the destination";
    EXPECT_EQ(metric(metrics(), "sockgate_denied_total"), 1);
}

TEST_F(AccessControl, DeniedPortIsRefusedEvenOnAllowedAddress) {
    TcpEchoServer echo;
    start_gateway({"--allow", "tcp:127.0.0.0/8:1-1000"});
    auto c = client();
    auto s = c->connect("127.0.0.1", echo.port());
    ASSERT_FALSE(s);
    EXPECT_EQ(s.code(), "EACCES");
    EXPECT_EQ(echo.connections(), 0);
}

TEST_F(AccessControl, ProtocolSpecificRuleDoesNotAllowTheOther) {
    TcpEchoServer echo;
    start_gateway({"--allow", "udp:127.0.0.0/8:*"});
    auto c = client();
    EXPECT_EQ(c->connect("127.0.0.1", echo.port()).code(), "EACCES");
    auto u = c->bind(std::string("127.0.0.1"), 0);
    ASSERT_TRUE(u) << u.describe();
    uint16_t native_port = 0;
    Fd native = udp_bind("127.0.0.1", native_port);
    ASSERT_TRUE(c->send_to(u->sock, "127.0.0.1", native_port, "udp is allowed"));
    ASSERT_TRUE(udp_recv(native));
}

TEST_F(AccessControl, MappedIpv6AddressCannotBypassIpv4Rules) {
    uint16_t port = 0;
    Fd listener = tcp_listen("127.0.0.2", port);
    start_gateway({"--allow", "any:127.0.0.1/32:*", "--allow", "any:::/0:*"});
    auto c = client();
    auto s = c->connect("::ffff:127.0.0.2", port);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.code(), "EACCES");
    EXPECT_FALSE(tcp_accept(listener, 300ms));
}

TEST_F(AccessControl, DeniedDatagramIsReportedAndNotSent) {
    uint16_t native_port = 0;
    Fd native = udp_bind("127.0.0.2", native_port);
    start_gateway({"--allow", "udp:127.0.0.1/32:*"});
    auto c = client();
    auto u = c->bind(std::string("127.0.0.1"), 0);
    ASSERT_TRUE(u) << u.describe();
    ASSERT_TRUE(c->send_to(u->sock, "127.0.0.2", native_port, "should not leave"));
    auto e = c->wait_error();
    ASSERT_TRUE(e) << e.describe();
    EXPECT_EQ(e->error.code, "EACCES");
    ASSERT_TRUE(e->sock);
    EXPECT_EQ(*e->sock, u->sock);
    EXPECT_FALSE(udp_recv(native, 300ms));
}

TEST_F(AccessControl, ListenOnPrivilegedPortIsDenied) {
    auto c = client();
    auto l = c->listen(std::string("127.0.0.1"), 80);
    ASSERT_FALSE(l);
    EXPECT_EQ(l.code(), "EACCES");
    EXPECT_NE(l.error().message.find("--bind-allow"), std::string::npos) << l.error().message;
}

TEST_F(AccessControl, ListenAndBindOutsideBindRulesAreDenied) {
    start_gateway({"--bind-allow", "127.0.0.1/32:1024-65535"});
    auto c = client();
    EXPECT_EQ(c->listen(std::string("127.0.0.2"), 0).code(), "EACCES");
    EXPECT_EQ(c->bind(std::string("127.0.0.2"), 0).code(), "EACCES");
    EXPECT_EQ(c->listen(std::string("0.0.0.0"), 0).code(), "EACCES");
    EXPECT_TRUE(c->listen(std::string("127.0.0.1"), 0));
}

TEST_F(AccessControl, ListenOnPortInUseGivesEaddrinuse) {
    uint16_t port = 0;
    Fd taken = tcp_listen("127.0.0.1", port);
    auto c = client();
    EXPECT_EQ(c->listen(std::string("127.0.0.1"), port).code(), "EADDRINUSE");
}

TEST_F(AccessControl, ResolveReturnsOnlyAllowedAddresses) {
    auto c = client();
    auto r = c->resolve("localhost");
    ASSERT_TRUE(r) << r.describe();
    ASSERT_FALSE(r->addrs.empty());
    for (const auto& a : r->addrs) EXPECT_TRUE(a == "127.0.0.1" || a == "::1") << a;
    auto numeric = c->resolve("127.0.0.5");
    ASSERT_TRUE(numeric) << numeric.describe();
    EXPECT_EQ(numeric->addrs, std::vector<std::string>{"127.0.0.5"});
}

TEST_F(AccessControl, ResolveOfDeniedAddressIsEacces) {
    start_gateway({"--allow", "any:127.0.0.1/32:*"});
    auto c = client();
    EXPECT_EQ(c->resolve("127.0.0.2").code(), "EACCES");
}

TEST_F(AccessControl, UnknownNameIsEaiNoname) {
    // .invalid names never exist (RFC 6761); the gateway answers without DNS.
    auto c = client();
    EXPECT_EQ(c->resolve("no-such-host.invalid").code(), "EAI_NONAME");
    EXPECT_EQ(c->connect("no-such-host.invalid", 80).code(), "EAI_NONAME");
}

TEST_F(AccessControl, TokenIsRequiredWhenConfigured) {
    start_gateway({"--token", "s3cret"});
    {
        BlockingClient c;
        ASSERT_TRUE(c.open(gw().ws_url()));
        auto h = c.hello(std::nullopt);
        ASSERT_FALSE(h);
        EXPECT_EQ(h.code(), "EACCES");
        auto closed = c.wait_session_closed();
        ASSERT_TRUE(closed) << closed.describe();
        EXPECT_EQ(closed->code, 1008);
    }
    {
        BlockingClient c;
        ASSERT_TRUE(c.open(gw().ws_url()));
        EXPECT_EQ(c.hello(std::string("wrong")).code(), "EACCES");
        EXPECT_EQ(c.wait_session_closed()->code, 1008);
    }
    BlockingClient good;
    auto h = good.start(gw().ws_url(), {}, std::string("s3cret"));
    ASSERT_TRUE(h) << h.describe();
    TcpEchoServer echo;
    EXPECT_TRUE(good.connect("127.0.0.1", echo.port()));
}

TEST_F(AccessControl, ForeignOriginIsRefusedAtHandshake) {
    BlockingClient c;
    TransportOptions o;
    o.origin = "http://evil.example";
    auto opened = c.open(gw().ws_url(), o);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.code(), "HTTP_403");
    EXPECT_EQ(c.transport_status().http_status, 403);
}

TEST_F(AccessControl, OwnOriginIsAccepted) {
    BlockingClient c;
    TransportOptions o;
    o.origin = gw().http_url();
    auto h = c.start(gw().ws_url(), o);
    EXPECT_TRUE(h) << h.describe();
}
