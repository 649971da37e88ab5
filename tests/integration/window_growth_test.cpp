// Windows grow for streams the window holds back, and never past
// --max-window, whatever credit a client hands out.
#include "gateway_fixture.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <thread>

#include "protocol/frame.hpp"

using namespace sockgate::testing;
using sockgate::client::Client;
using sockgate::client::ClientOptions;
namespace proto = sockgate::proto;

namespace {

constexpr uint32_t kWindow = 65536;
constexpr uint32_t kMaxWindow = 1 << 20;

std::vector<std::string> window_flags() {
    return {"--window", std::to_string(kWindow), "--max-window", std::to_string(kMaxWindow)};
}

}  // namespace

// Named for this file's area, so `ctest -R WindowGrowth` selects it.
class WindowGrowth : public GatewayTest {};

TEST_F(WindowGrowth, HelloAnnouncesTheMaxWindow) {
    start_gateway(window_flags());
    auto c = client();
    uint32_t window = 0, max_window = 0;
    c->with_core([&](Client& core) {
        window = core.window();
        max_window = core.max_window();
    });
    EXPECT_EQ(window, kWindow);
    EXPECT_EQ(max_window, kMaxWindow);
}

TEST_F(WindowGrowth, UploadWindowGrowsWhenThePeerKeepsUp) {
    start_gateway(window_flags());
    auto c = client();
    auto [sock, peer] = connect_to_native_peer(*c);
    ASSERT_NE(sock, 0u);
    const std::string data = pattern_bytes(8 << 20, 21);
    std::string got;
    std::thread reader([&p = peer, &got, n = data.size()] { got = read_exactly(p, n, 60s); });
    ASSERT_TRUE(c->send(sock, data));
    ASSERT_TRUE(c->drain(sock, 60s));
    reader.join();
    EXPECT_EQ(fnv1a(got), fnv1a(data));
    // Once everything is written and granted back, the client's credit is
    // the whole window the gateway let it grow to.
    ASSERT_TRUE(c->run_until([&] { return c->socket(sock)->send_credit > kWindow; }, 5s))
        << "the window never grew: credit " << c->socket(sock)->send_credit;
    EXPECT_LE(c->socket(sock)->send_credit, kMaxWindow);
}

TEST_F(WindowGrowth, DownloadWindowGrowsWhenTheClientKeepsUp) {
    start_gateway(window_flags());
    auto c = client();
    auto [sock, peer] = connect_to_native_peer(*c);
    ASSERT_NE(sock, 0u);
    const std::string data = pattern_bytes(8 << 20, 22);
    std::thread writer([&p = peer, &data] { write_all(p, data); });
    auto all = c->read_exactly(sock, data.size(), 60s);
    writer.join();
    ASSERT_TRUE(all) << all.describe();
    EXPECT_EQ(fnv1a(*all), fnv1a(data));
    EXPECT_GT(c->socket(sock)->recv_window, kWindow);
    EXPECT_LE(c->socket(sock)->recv_window, kMaxWindow);
    EXPECT_TRUE(c->bad_input().empty());
}

TEST_F(WindowGrowth, CreditBeyondMaxWindowIsNotUsed) {
    start_gateway(window_flags());
    ClientOptions manual;
    manual.manual_credit = true;
    auto c = client(manual);
    auto [sock, peer] = connect_to_native_peer(*c);
    ASSERT_NE(sock, 0u);
    // A greedy (or broken) client grants far more than max_window and does
    // not read: the gateway must not queue more than max_window for it.
    c->send_raw_binary(proto::encode_window(sock, 1u << 30));
    fcntl(peer.get(), F_SETFL, O_NONBLOCK);
    const std::string chunk(65536, 'g');
    size_t accepted = 0;
    for (int round = 0; round < 50 && accepted < (size_t(16) << 20); ++round) {
        ssize_t n;
        while (accepted < (size_t(16) << 20) && (n = ::send(peer.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL)) > 0)
            accepted += size_t(n);
        c->run_for(20ms);
    }
    ASSERT_GT(accepted, size_t(kMaxWindow)) << "the peer could not even send max_window";
    ASSERT_TRUE(c->run_until([&] { return c->available(sock) >= kMaxWindow; }, 10s))
        << "max_window never arrived: " << c->available(sock) << " bytes";
    EXPECT_TRUE(
        c->stays_true_for([&] { return c->available(sock) <= kMaxWindow + kWindow; }, kLongEnoughForAStrayFrame))
        << "the gateway used credit beyond max_window: " << c->available(sock) << " bytes";
    // The grant leaves the client's event loop some time after the peer's
    // first bytes may have arrived, so the gateway may have spent part of
    // the initial window before it; from the grant on, it holds at most
    // max_window of credit.
    const size_t relayed = c->available(sock);
    EXPECT_GE(relayed, kMaxWindow);
    EXPECT_LE(relayed, kMaxWindow + kWindow) << "the gateway used credit beyond max_window";
    EXPECT_EQ(metric(metrics(), "sockgate_bytes_relayed_total{direction=\"to_client\"}"), (long long)relayed);
}
