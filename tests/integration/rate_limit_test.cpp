// --rate-bytes: a limited session slows down; TCP loses nothing, UDP past the
// budget is dropped and counted.
#include "gateway_fixture.hpp"

#include <thread>

using namespace sockgate::testing;

namespace {

constexpr size_t kRate = 200 * 1024;     // bytes a second, per direction
constexpr size_t kBytes = 600 * 1024;    // three seconds' worth; the first is saved up
constexpr auto kAtLeast = std::chrono::milliseconds(1500);

}  // namespace

TEST_F(GatewayTest, RateLimitSlowsTcpToTheClientAndKeepsEveryByte) {
    start_gateway({"--rate-bytes", std::to_string(kRate)});
    auto c = client();
    auto s = connect_to_native_peer(*c);
    ASSERT_NE(s.sock, 0u);
    const std::string data = pattern_bytes(kBytes, 7);
    const auto start = std::chrono::steady_clock::now();
    std::thread writer([&] { write_all(s.peer, data); });
    auto got = c->read_exactly(s.sock, kBytes, 30s);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    writer.join();
    ASSERT_TRUE(got) << got.describe();
    EXPECT_EQ(fnv1a(*got), fnv1a(data));
    EXPECT_GE(elapsed, kAtLeast) << "600 KiB at 200 KiB/s took only "
                                 << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms";
    EXPECT_GE(metric(metrics(), "sockgate_throttled_total{what=\"bytes_to_client\"}"), 1);
}

TEST_F(GatewayTest, RateLimitSlowsTcpFromTheClientAndKeepsEveryByte) {
    start_gateway({"--rate-bytes", std::to_string(kRate)});
    auto c = client();
    auto s = connect_to_native_peer(*c);
    ASSERT_NE(s.sock, 0u);
    const std::string data = pattern_bytes(kBytes, 8);
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(c->send(s.sock, data));
    const std::string got = read_exactly(s.peer, kBytes, 30s);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_EQ(got.size(), kBytes);
    EXPECT_EQ(fnv1a(got), fnv1a(data));
    EXPECT_GE(elapsed, kAtLeast) << metrics();
    EXPECT_GE(metric(metrics(), "sockgate_throttled_total{what=\"bytes_from_client\"}"), 1);
}

TEST_F(GatewayTest, RateLimitDropsUdpPastTheBudgetAndCountsIt) {
    start_gateway({"--rate-bytes", "20000"});
    auto c = client();
    uint16_t peer_port = 0;
    Fd peer = udp_bind("127.0.0.1", peer_port);
    auto u = c->bind(std::string("127.0.0.1"), 0);
    ASSERT_TRUE(u) << u.describe();
    const std::string payload(1000, 'u');
    for (int i = 0; i < 60; ++i) ASSERT_TRUE(c->send_to(u->sock, "127.0.0.1", peer_port, payload));
    // What arrives is whole; what the budget had no room for is counted.
    const long long dropped =
        wait_for_metric("sockgate_datagrams_dropped_total{direction=\"from_client\"}", 60 - 21, 5s);
    EXPECT_GE(dropped, 30);
    int received = 0;
    while (auto d = udp_recv(peer, 300ms)) {
        EXPECT_EQ(d->payload, payload);
        ++received;
    }
    EXPECT_EQ(received + dropped, 60);
}
