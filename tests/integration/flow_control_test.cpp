// Credit-based flow control: a slow browser slows the remote sender instead
// of filling the gateway's memory, and nothing is lost.
#include "gateway_fixture.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "protocol/frame.hpp"

using namespace sockgate::testing;
using sockgate::client::Client;
using sockgate::client::ClientOptions;
using sockgate::client::Direction;
namespace proto = sockgate::proto;

// Named for this file's area, so `ctest -R FlowControl` selects it.
class FlowControl : public GatewayTest {};

TEST_F(FlowControl, ClientWithoutCreditReceivesAtMostWindowThenEverything) {
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
    ASSERT_TRUE(c->run_until([&] { return c->available(sock) >= kWindow; }, 10s)) << "a window's worth never came";
    EXPECT_TRUE(c->stays_true_for([&] { return c->available(sock) == kWindow; }, kLongEnoughForAStrayFrame))
        << "the gateway sent beyond its credit: " << c->available(sock) << " bytes";

    // Reading grants credit: everything arrives, in order.
    auto all = c->read_exactly(sock, data.size(), 60s);
    writer.join();
    ASSERT_TRUE(all) << all.describe();
    EXPECT_EQ(fnv1a(*all), fnv1a(data));
}

TEST_F(FlowControl, SlowBrowserSlowsTheRemoteSender) {
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
    ASSERT_TRUE(c->run_until([&] { return c->available(sock) >= kWindow; }, 10s)) << "a window's worth never came";
    EXPECT_TRUE(c->stays_true_for([&] { return c->available(sock) == kWindow; }, kLongEnoughForAStrayFrame))
        << "the gateway sent beyond its credit: " << c->available(sock) << " bytes";
}

TEST_F(FlowControl, ClientOverrunningCreditGetsEproto) {
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

TEST_F(FlowControl, GatewayGrantsCreditAsItWritesToThePeer) {
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

// Written bytes are granted back in batches of 4 KiB (or an eighth of the
// window, if less): small requests do not each cost a WINDOW frame, and the
// client keeps all but the held-back bytes of its credit meanwhile.
TEST_F(FlowControl, SmallWritesAreGrantedBackInBatches) {
    constexpr uint64_t kWindow = 262144;
    constexpr uint64_t kBatch = 4096;
    start_gateway({"--window", std::to_string(kWindow)});
    auto c = client();
    auto [sock, peer] = connect_to_native_peer(*c);
    ASSERT_NE(sock, 0u);
    std::atomic<int> windows{0};
    std::atomic<uint64_t> granted{0};
    c->with_core([&, id = sock](Client& core) {
        core.events().on_wire_binary = [&, id](Direction dir, std::string_view bytes) {
            const proto::DecodeResult d = proto::decode_frame(bytes);
            if (dir != Direction::in || !d || d.frame.kind != proto::FrameKind::window || d.frame.sock != id) return;
            ++windows;
            granted += d.frame.increment;
        };
    });

    // 100 requests of 32 bytes, each read by the peer before the next one
    // leaves, so the gateway writes each on its own.
    const std::string request(32, 'q');
    constexpr int kRequests = 100;
    const uint64_t sent = kRequests * request.size();
    for (int i = 0; i < kRequests; ++i) {
        ASSERT_TRUE(c->send(sock, request));
        ASSERT_EQ(read_exactly(peer, request.size()), request) << "request " << i;
    }
    EXPECT_TRUE(c->stays_true_for([&] { return windows.load() == 0; }, kLongEnoughForAStrayFrame))
        << "the gateway granted small writes one by one";
    EXPECT_EQ(c->socket(sock)->send_credit, kWindow - sent);

    // The byte that completes the batch brings all of it back in one frame.
    const std::string rest(kBatch - sent, 'r');
    ASSERT_TRUE(c->send(sock, rest));
    ASSERT_EQ(read_exactly(peer, rest.size()), rest);
    ASSERT_TRUE(c->run_until([&] { return windows.load() > 0; }, 5s)) << "the batch was never granted";
    EXPECT_TRUE(c->stays_true_for([&] { return windows.load() == 1; }, kLongEnoughForAStrayFrame))
        << windows.load() << " WINDOW frames for one batch";
    EXPECT_EQ(granted.load(), kBatch);
    EXPECT_EQ(c->socket(sock)->send_credit, kWindow);
}

// With a small window the batch shrinks to an eighth of it, so the client
// never runs out of credit waiting for bytes the gateway holds back.
TEST_F(FlowControl, SmallWindowGrantsInBatchesOfAnEighth) {
    constexpr uint64_t kWindow = 2048;
    start_gateway({"--window", std::to_string(kWindow), "--max-window", std::to_string(kWindow)});
    auto c = client();
    auto [sock, peer] = connect_to_native_peer(*c);
    ASSERT_NE(sock, 0u);
    // 8 windows' worth in 16-byte requests: only gets through if credit
    // keeps coming back.
    const std::string request(16, 's');
    for (uint64_t i = 0; i < 8 * kWindow / request.size(); ++i) {
        ASSERT_TRUE(c->send(sock, request));
        ASSERT_EQ(read_exactly(peer, request.size()), request) << "request " << i;
    }
    // 16384 bytes written, granted in batches of 256: nothing is held back.
    EXPECT_TRUE(c->run_until([&] { return c->socket(sock)->send_credit == kWindow; }, 5s))
        << "credit held back: " << c->socket(sock)->send_credit << " of " << kWindow;
    EXPECT_EQ(c->socket(sock)->queued, 0u);
}
