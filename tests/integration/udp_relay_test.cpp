// UDP through the gateway: bind, datagrams both ways with source addresses,
// the demo echo, and drops that are counted rather than hidden.
#include "gateway_fixture.hpp"

#include <thread>

using namespace sockgate::testing;

// Named for this file's area, so `ctest -R UdpRelay` selects it.
class UdpRelay : public GatewayTest {};

TEST_F(UdpRelay, UdpDatagramsFlowBothWaysWithSourceAddresses) {
    auto c = client();
    auto u = c->bind(std::string("127.0.0.1"), 0);
    ASSERT_TRUE(u) << u.describe();
    ASSERT_NE(u->local.port, 0);
    EXPECT_EQ(u->local.addr, "127.0.0.1");

    uint16_t native_port = 0;
    Fd native = udp_bind("127.0.0.1", native_port);

    ASSERT_TRUE(c->send_to(u->sock, "127.0.0.1", native_port, "browser to native"));
    auto got = udp_recv(native);
    ASSERT_TRUE(got) << "the datagram did not arrive";
    EXPECT_EQ(got->payload, "browser to native");
    EXPECT_EQ(got->from_port, u->local.port) << "the gateway must send from the bound socket";

    ASSERT_TRUE(udp_send_to(native, "127.0.0.1", u->local.port, "native to browser"));
    auto back = c->recv_from(u->sock);
    ASSERT_TRUE(back) << back.describe();
    EXPECT_EQ(back->payload, "native to browser");
    EXPECT_EQ(back->from.addr, "127.0.0.1");
    EXPECT_EQ(back->from.port, native_port);
}

TEST_F(UdpRelay, UdpCarriesEmptyAndMaximumSizeDatagrams) {
    auto c = client();
    auto u = c->bind(std::string("127.0.0.1"), 0);
    ASSERT_TRUE(u) << u.describe();
    uint16_t native_port = 0;
    Fd native = udp_bind("127.0.0.1", native_port);

    ASSERT_TRUE(c->send_to(u->sock, "127.0.0.1", native_port, ""));
    auto empty = udp_recv(native);
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->payload, "");

    const std::string big = pattern_bytes(65507, 9);
    ASSERT_TRUE(c->send_to(u->sock, "127.0.0.1", native_port, big));
    auto got = udp_recv(native);
    ASSERT_TRUE(got);
    EXPECT_EQ(fnv1a(got->payload), fnv1a(big));

    ASSERT_TRUE(udp_send_to(native, "127.0.0.1", u->local.port, big));
    auto back = c->recv_from(u->sock);
    ASSERT_TRUE(back) << back.describe();
    EXPECT_EQ(fnv1a(back->payload), fnv1a(big));
}

TEST_F(UdpRelay, UdpOverIpv6Loopback) {
    auto c = client();
    auto u = c->bind(std::string("::1"), 0);
    ASSERT_TRUE(u) << u.describe();
    EXPECT_EQ(u->local.addr, "::1");
    uint16_t native_port = 0;
    Fd native = udp_bind("::1", native_port);
    ASSERT_TRUE(c->send_to(u->sock, "::1", native_port, "six"));
    auto got = udp_recv(native);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->payload, "six");
    ASSERT_TRUE(udp_send_to(native, "::1", u->local.port, "back"));
    auto back = c->recv_from(u->sock);
    ASSERT_TRUE(back) << back.describe();
    EXPECT_EQ(back->from.addr, "::1");
}

TEST_F(UdpRelay, DemoEchoServiceAnswersUdp) {
    auto c = client();
    auto u = c->bind(std::nullopt, 0);
    ASSERT_TRUE(u) << u.describe();
    ASSERT_TRUE(c->send_to(u->sock, "127.0.0.1", gw().demo_port(), "ping"));
    auto back = c->recv_from(u->sock);
    ASSERT_TRUE(back) << back.describe();
    EXPECT_EQ(back->payload, "ping");
    EXPECT_EQ(back->from.port, gw().demo_port());
    const std::string m = metrics();
    EXPECT_EQ(metric(m, "sockgate_datagrams_relayed_total{direction=\"from_client\"}"), 1);
    EXPECT_EQ(metric(m, "sockgate_datagrams_relayed_total{direction=\"to_client\"}"), 1);
}

TEST_F(UdpRelay, UdpFloodTowardsStalledBrowserDropsAndCounts) {
    start_gateway({"--udp-queue", "4"});
    auto c = client();
    auto u = c->bind(std::string("127.0.0.1"), 0);
    ASSERT_TRUE(u) << u.describe();
    uint16_t native_port = 0;
    Fd native = udp_bind("127.0.0.1", native_port);
    // The client stops reading its WebSocket while the peer floods, so the
    // gateway's WebSocket backlog grows past the queue bound.
    c->pause_reading();
    const std::string payload(1200, 'x');
    // Paced so the gateway, not its kernel receive buffer, sees the
    // datagrams (a sanitizer build is slow); bounded in count and time.
    int sent = 0;
    long long dropped = 0;
    for (int round = 0; round < 100 && dropped == 0; ++round) {
        for (int i = 0; i < 500; ++i) {
            udp_send_to(native, "127.0.0.1", u->local.port, payload);
            ++sent;
            if (i % 25 == 24) std::this_thread::sleep_for(1ms);
        }
        dropped = metric(metrics(), "sockgate_datagrams_dropped_total{direction=\"to_client\"}");
    }
    EXPECT_GT(dropped, 0);
    c->resume_reading();
    // What was not dropped is delivered intact, and the session still works.
    int received = 0;
    while (auto d = c->recv_from(u->sock, 500ms)) {
        ASSERT_EQ(d->payload, payload);
        ++received;
    }
    EXPECT_GT(received, 0);
    EXPECT_LE(received + dropped, sent);
    ASSERT_TRUE(c->send_to(u->sock, "127.0.0.1", native_port, "still alive"));
    auto got = udp_recv(native);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->payload, "still alive");
}

TEST_F(UdpRelay, UdpBurstFromTheClientIsNotDropped) {
    // A thousand datagrams sent back to back reach the gateway in a few
    // large WebSocket reads; none may be dropped for want of queue space.
    auto c = client();
    auto u = c->bind(std::string("127.0.0.1"), 0);
    ASSERT_TRUE(u) << u.describe();
    uint16_t native_port = 0;
    Fd native = udp_bind("127.0.0.1", native_port);
    constexpr int kBurst = 1000;
    // All from one task of the client's event loop, so they leave in one
    // write, as a page's would from one synchronous loop.
    int accepted = 0;
    c->with_core([&](sockgate::client::Client& core) {
        for (int i = 0; i < kBurst; ++i)
            if (core.send_to(u->sock, "127.0.0.1", native_port, std::string(64, char('a' + i % 26)))) ++accepted;
    });
    ASSERT_EQ(accepted, kBurst);
    EXPECT_EQ(wait_for_metric("sockgate_datagrams_relayed_total{direction=\"from_client\"}", kBurst, 5s), kBurst);
    EXPECT_EQ(metric(metrics(), "sockgate_datagrams_dropped_total{direction=\"from_client\"}"), 0);
}
