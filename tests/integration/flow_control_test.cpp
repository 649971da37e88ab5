// Credit-based flow control: a slow browser slows the remote sender instead
// of filling the gateway's memory, and nothing is lost.
#include "gateway_fixture.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <thread>

#include "protocol/frame.hpp"

using namespace sockgate::testing;
using sockgate::client::ClientOptions;
namespace proto = sockgate::proto;

TEST_F(GatewayTest, ClientWithoutCreditReceivesAtMostWindowThenEverything) {
    constexpr size_t kWindow = 65536;
    start_gateway({"--window", std::to_string(kWindow)});
    ClientOptions manual;
    manual.manual_credit = true;
    auto c = client(manual);
    auto [sock, peer] = connect_to_native_peer(*c);
    ASSERT_NE(sock, 0u);

    const std::string data = pattern_bytes(4 << 20, 11);
    std::thread writer([&p = peer, &data] { write_all(p, data); });

    // No credit granted back: the gateway must stop at the window.
    c->run_for(1500ms);
    EXPECT_EQ(c->available(sock), kWindow);
    c->run_for(300ms);
    EXPECT_EQ(c->available(sock), kWindow) << "the gateway sent beyond its credit";

    // Reading grants credit: everything arrives, in order.
    auto all = c->read_exactly(sock, data.size(), 60s);
    writer.join();
    ASSERT_TRUE(all) << all.describe();
    EXPECT_EQ(fnv1a(*all), fnv1a(data));
}

TEST_F(GatewayTest, SlowBrowserSlowsTheRemoteSender) {
    constexpr size_t kWindow = 65536;
    start_gateway({"--window", std::to_string(kWindow)});
    ClientOptions manual;
    manual.manual_credit = true;
    auto c = client(manual);
    auto [sock, peer] = connect_to_native_peer(*c);
    ASSERT_NE(sock, 0u);

    // The peer writes non-blocking until the kernel pushes back. Had the
    // gateway kept reading without credit, all 64 MiB would be accepted.
    fcntl(peer.get(), F_SETFL, O_NONBLOCK);
    const std::string chunk(65536, 'z');
    size_t accepted = 0;
    for (int round = 0; round < 20 && accepted < (size_t(64) << 20); ++round) {
        ssize_t n;
        while (accepted < (size_t(64) << 20) && (n = ::send(peer.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL)) > 0)
            accepted += size_t(n);
        c->run_for(20ms);
    }
    EXPECT_LT(accepted, size_t(64) << 20) << "the remote sender was never slowed down";
    EXPECT_EQ(c->available(sock), kWindow);
}

TEST_F(GatewayTest, ClientOverrunningCreditGetsEproto) {
    constexpr size_t kWindow = 65536;
    start_gateway({"--window", std::to_string(kWindow)});
    TcpEchoServer echo;
    auto c = client();
    auto s = c->connect("127.0.0.1", echo.port());
    ASSERT_TRUE(s) << s.describe();
    // Bypass the client core's bookkeeping: one frame beyond the credit.
    c->send_raw_binary(proto::encode_data(s->sock, std::string(kWindow + 1, 'o')));
    auto closed = c->wait_closed(s->sock);
    ASSERT_TRUE(closed) << closed.describe();
    ASSERT_TRUE(closed->has_value());
    EXPECT_EQ((*closed)->code, "EPROTO");
}

TEST_F(GatewayTest, GatewayGrantsCreditAsItWritesToThePeer) {
    constexpr size_t kWindow = 65536;
    start_gateway({"--window", std::to_string(kWindow)});
    TcpEchoServer echo;
    auto c = client();
    auto s = c->connect("127.0.0.1", echo.port());
    ASSERT_TRUE(s) << s.describe();
    // 16 windows' worth only gets through if WINDOW frames come back.
    const std::string data = pattern_bytes(16 * kWindow, 5);
    ASSERT_TRUE(c->send(s->sock, data));
    auto back = c->read_exactly(s->sock, data.size(), 30s);
    ASSERT_TRUE(back) << back.describe();
    EXPECT_EQ(fnv1a(*back), fnv1a(data));
}
