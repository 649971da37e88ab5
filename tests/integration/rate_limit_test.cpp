// --rate-bytes: a limited session slows down; TCP loses nothing, UDP past the
// budget is dropped and counted. --rate-connects: connects past the budget
// wait their turn, or are refused at once when they could not start in time.
#include "gateway_fixture.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <thread>

using namespace sockgate::testing;

namespace {

constexpr size_t kRate = 200 * 1024;   // bytes a second, per direction
constexpr size_t kBytes = 600 * 1024;  // three seconds' worth; the first is saved up
constexpr auto kAtLeast = std::chrono::milliseconds(1500);

// Sends a connect request of its own (not through the client core, so that
// many can be in flight at once); its reply is found by id.
void send_connect(BlockingClient& c, int64_t id, uint16_t port, int timeout_ms) {
    c.send_raw_text(nlohmann::json{
        {"op", "connect"},
        {"id", id},
        {"proto", "tcp"},
        {"host", "127.0.0.1"},
        {"port", port},
        {"timeout_ms",
         timeout_ms}}.dump());
}

// The replies received so far to requests with ids in [first, last].
std::map<int64_t, nlohmann::json> replies(const BlockingClient& c, int64_t first, int64_t last) {
    std::map<int64_t, nlohmann::json> out;
    for (const auto& t : c.texts_received()) {
        auto j = nlohmann::json::parse(t, nullptr, false);
        if (!j.is_object() || !j.contains("id") || !j.at("id").is_number_integer()) continue;
        const int64_t id = j.at("id").get<int64_t>();
        if (id >= first && id <= last) out[id] = std::move(j);
    }
    return out;
}

}  // namespace

// Named for this file's area, so `ctest -R RateLimit` selects it.
class RateLimit : public GatewayTest {};

TEST_F(RateLimit, ConnectsPastTheRateWaitTheirTurnAndAllSucceed) {
    start_gateway({"--rate-connects", "4"});
    uint16_t port = 0;
    Fd listener = tcp_listen("127.0.0.1", port);
    auto c = client();
    // Ids well above the client core's own.
    constexpr int64_t kFirst = 1000, kCount = 12;
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < kCount; ++i) send_connect(*c, kFirst + i, port, 10000);
    ASSERT_TRUE(c->run_until([&] { return replies(*c, kFirst, kFirst + kCount - 1).size() == kCount; }, 20s))
        << replies(*c, kFirst, kFirst + kCount - 1).size() << " of " << kCount << " replies";
    const auto elapsed = std::chrono::steady_clock::now() - start;
    for (const auto& [id, reply] : replies(*c, kFirst, kFirst + kCount - 1))
        EXPECT_TRUE(reply.at("ok").get<bool>()) << reply.dump();
    // Four go at once (the burst), the other eight a quarter second apart.
    EXPECT_GE(elapsed, 1500ms) << "12 connects at 4 a second took only "
                               << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms";
    EXPECT_EQ(metric(metrics(), "sockgate_throttled_total{what=\"connects\"}"), kCount - 4);
}

TEST_F(RateLimit, ConnectThatCouldNotStartBeforeItsTimeoutIsRefusedWithEagain) {
    start_gateway({"--rate-connects", "1"});
    uint16_t port = 0;
    Fd listener = tcp_listen("127.0.0.1", port);
    auto c = client();
    send_connect(*c, 1000, port, 5000);  // the one token
    send_connect(*c, 1001, port, 300);   // would wait a second: refused
    send_connect(*c, 1002, port, 5000);  // waits its second
    ASSERT_TRUE(c->run_until([&] { return replies(*c, 1000, 1002).size() == 3; }, 10s));
    auto r = replies(*c, 1000, 1002);
    EXPECT_TRUE(r[1000].at("ok").get<bool>()) << r[1000].dump();
    ASSERT_FALSE(r[1001].at("ok").get<bool>()) << r[1001].dump();
    EXPECT_EQ(r[1001].at("error").at("code"), "EAGAIN");
    EXPECT_NE(r[1001].at("error").at("message").get<std::string>().find("--rate-connects"), std::string::npos)
        << r[1001].dump();
    EXPECT_TRUE(r[1002].at("ok").get<bool>()) << r[1002].dump();
    EXPECT_EQ(metric(metrics(), "sockgate_limit_errors_total"), 1);
}

TEST_F(RateLimit, RateLimitSlowsTcpToTheClientAndKeepsEveryByte) {
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

TEST_F(RateLimit, RateLimitSlowsTcpFromTheClientAndKeepsEveryByte) {
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

TEST_F(RateLimit, RateLimitDropsUdpPastTheBudgetAndCountsIt) {
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
