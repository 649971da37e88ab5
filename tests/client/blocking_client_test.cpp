// BlockingClient end to end against the scripted FakeGateway.
#include <gtest/gtest.h>

#include <numeric>
#include <thread>

#include "fake_gateway.hpp"
#include "protocol/frame.hpp"
#include "support/blocking_client.hpp"
#include "support/wait.hpp"

namespace sockgate::client {
namespace {

using namespace std::chrono_literals;
using sockgate::testing::stays_true_for;
using sockgate::testing::wait_until;
using testing::FakeGateway;
using testing::FakeGatewayOptions;

std::string pattern(size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = char((i * 131 + i / 7) & 0xff);
    return s;
}

TEST(BlockingClient, HelloReportsSessionParameters) {
    FakeGateway gw;
    BlockingClient c;
    auto h = c.start(gw.url());
    ASSERT_TRUE(h) << h.describe();
    EXPECT_EQ(h->window, 64u * 1024);
    EXPECT_EQ(h->server, "fake-gateway");
    EXPECT_TRUE(c.session_open());
    c.with_core([](Client& core) { EXPECT_EQ(core.state(), SessionState::ready); });
}

TEST(BlockingClient, WrongTokenIsRefusedAndSessionCloses) {
    FakeGatewayOptions o;
    o.token = "right";
    FakeGateway gw(o);
    BlockingClient c;
    ASSERT_TRUE(c.open(gw.url()));
    auto h = c.hello("wrong");
    EXPECT_EQ(h.code(), "EACCES");
    auto end = c.wait_session_closed();
    ASSERT_TRUE(end) << end.describe();
    EXPECT_EQ(end->code, close_code::policy_violation);
}

TEST(BlockingClient, EchoesMegabytesThroughFlowControl) {
    FakeGatewayOptions o;
    o.window = 32 * 1024;  // far smaller than the data: credit must cycle
    o.max_frame = 8 * 1024;
    FakeGateway gw(o);
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.url()));
    auto s = c.connect("127.0.0.1", 7);
    ASSERT_TRUE(s) << s.describe();
    const std::string data = pattern(3 << 20);
    ASSERT_TRUE(c.send(s->sock, data));
    auto back = c.read_exactly(s->sock, data.size(), 30s);
    ASSERT_TRUE(back) << back.describe();
    EXPECT_TRUE(*back == data);
    EXPECT_EQ(gw.overruns(), 0u);
    EXPECT_EQ(c.socket(s->sock)->bytes_out, data.size());
    EXPECT_TRUE(c.bad_input().empty());

    ASSERT_TRUE(c.shutdown(s->sock));
    ASSERT_TRUE(c.wait_eof(s->sock));
    auto rest = c.recv_some(s->sock);
    ASSERT_TRUE(rest);
    EXPECT_EQ(*rest, "") << "eof reads as empty";
    ASSERT_TRUE(c.close(s->sock));
    EXPECT_EQ(c.socket(s->sock)->state, SocketState::closed);
}

TEST(BlockingClient, ManualCreditBoundsWhatArrives) {
    FakeGatewayOptions o;
    o.window = 16 * 1024;
    o.max_frame = 4 * 1024;
    o.source_bytes = 200 * 1024;
    FakeGateway gw(o);
    BlockingClient c(ClientOptions{true, 0});
    ASSERT_TRUE(c.start(gw.url()));
    auto s = c.connect("127.0.0.1", 2);  // the source
    ASSERT_TRUE(s);
    ASSERT_TRUE(c.run_until([&] { return c.available(s->sock) >= o.window; }, 10s)) << "a window's worth never came";
    // Long enough for a frame beyond the credit to arrive from the fake gateway.
    EXPECT_TRUE(c.stays_true_for([&] { return c.available(s->sock) == o.window; }, 300ms))
        << "exactly one window, then the gateway must wait: " << c.available(s->sock) << " bytes";
    EXPECT_EQ(c.socket(s->sock)->recv_credit, 0u);

    auto all = c.read_to_eof(s->sock, 10s);
    ASSERT_TRUE(all) << all.describe();
    ASSERT_EQ(all->size(), o.source_bytes);
    for (size_t i = 0; i < all->size(); ++i) ASSERT_EQ((*all)[i], testing::source_byte(i)) << "at " << i;
}

TEST(BlockingClient, ReadExactlyReportsEarlyEof) {
    FakeGatewayOptions o;
    o.source_bytes = 100;
    FakeGateway gw(o);
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.url()));
    auto s = c.connect("127.0.0.1", 2);
    ASSERT_TRUE(s);
    auto r = c.read_exactly(s->sock, 1000);
    EXPECT_EQ(r.code(), local_error::eof);
    EXPECT_EQ(c.available(s->sock), 100u);
    auto got = c.read_exactly(s->sock, 100);
    ASSERT_TRUE(got);
}

TEST(BlockingClient, ErrorsFromTheGatewayComeBackAsCodes) {
    FakeGateway gw;
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.url()));
    EXPECT_EQ(c.connect("127.0.0.1", 1).code(), "ECONNREFUSED");
    auto r = c.request("frobnicate", {{"x", 1}});
    EXPECT_EQ(r.code(), "EINVAL");
    auto res = c.resolve("localhost");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->addrs, std::vector<std::string>{"127.0.0.1"});
}

TEST(BlockingClient, ClosedEventEndsTheSocket) {
    FakeGateway gw;
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.url()));
    auto s = c.connect("127.0.0.1", 3);
    ASSERT_TRUE(s);
    auto why = c.wait_closed(s->sock);
    ASSERT_TRUE(why) << why.describe();
    ASSERT_TRUE(why->has_value());
    EXPECT_EQ((*why)->code, "ECONNRESET");
    EXPECT_EQ(c.recv_some(s->sock).code(), "ECONNRESET");
    EXPECT_EQ(c.closed_events().size(), 1u);
}

TEST(BlockingClient, ListenAndAccept) {
    FakeGateway gw;
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.url()));
    auto l = c.listen("127.0.0.1", 0);
    ASSERT_TRUE(l) << l.describe();
    auto a = c.wait_accept(l->sock);
    ASSERT_TRUE(a) << a.describe();
    EXPECT_EQ(a->listener, l->sock);
    EXPECT_EQ(c.socket(a->sock)->kind, SocketKind::tcp_stream);
    ASSERT_TRUE(c.send(a->sock, "ping"));
    auto back = c.read_exactly(a->sock, 4);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, "ping");
    EXPECT_EQ(c.wait_accept(l->sock, 100ms).code(), "ETIMEDOUT");
}

TEST(BlockingClient, UdpDatagrams) {
    FakeGateway gw;
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.url()));
    auto u = c.bind("127.0.0.1");
    ASSERT_TRUE(u) << u.describe();
    ASSERT_TRUE(c.send_to(u->sock, "127.0.0.1", 9999, "one"));
    ASSERT_TRUE(c.send_to(u->sock, "127.0.0.1", 9999, "two"));
    auto d1 = c.recv_from(u->sock);
    auto d2 = c.recv_from(u->sock);
    ASSERT_TRUE(d1 && d2);
    EXPECT_EQ(d1->payload, "one");
    EXPECT_EQ(d2->payload, "two");
    EXPECT_EQ(d1->from.addr, "127.0.0.1");
    EXPECT_EQ(d1->from.port, 9999);
    EXPECT_EQ(c.recv_from(u->sock, 50ms).code(), "ETIMEDOUT");
}

TEST(BlockingClient, PausedReadingHoldsBackIncomingFrames) {
    FakeGateway gw;
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.url()));
    auto u = c.bind("127.0.0.1");
    ASSERT_TRUE(u);
    c.pause_reading();
    const std::string payload(1000, 'u');
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(c.send_to(u->sock, "127.0.0.1", 9, payload));
    // At most one read's worth (already requested before the pause) gets in.
    // The quiet period is long enough for all 200 echoes to arrive on loopback
    // had pausing failed to hold them back; it fails as soon as they all do.
    constexpr auto long_enough_for_all_echoes = 300ms;
    int while_paused = 0;
    EXPECT_TRUE(stays_true_for(
        [&] {
            while (c.recv_from(u->sock, 1ms)) ++while_paused;
            return while_paused < 200;
        },
        long_enough_for_all_echoes))
        << "all datagrams got in while reading was paused";
    EXPECT_LT(while_paused, 200);
    c.resume_reading();
    int after = 0;
    while (c.recv_from(u->sock, 1s)) ++after;
    EXPECT_EQ(while_paused + after, 200);
}

TEST(BlockingClient, RawFramesProduceErrorEvents) {
    FakeGateway gw;
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.url()));
    c.send_raw_text("{not json");
    auto e1 = c.wait_error();
    ASSERT_TRUE(e1) << e1.describe();
    EXPECT_EQ(e1->error.code, "EBADMSG");
    c.send_raw_binary(proto::encode_data(4242, "x"));
    auto e2 = c.wait_error();
    ASSERT_TRUE(e2);
    EXPECT_EQ(e2->error.code, "EBADF");
    EXPECT_EQ(c.error_events().size(), 2u);
    EXPECT_FALSE(c.texts_received().empty());
}

TEST(BlockingClient, OverrunningCreditGetsTheSocketClosed) {
    FakeGatewayOptions o;
    o.window = 1024;
    FakeGateway gw(o);
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.url()));
    auto s = c.connect("127.0.0.1", 7);
    ASSERT_TRUE(s);
    // Raw frames bypass the core's credit accounting.
    c.send_raw_binary(proto::encode_data(s->sock, std::string(2000, 'x')));
    auto why = c.wait_closed(s->sock);
    ASSERT_TRUE(why);
    ASSERT_TRUE(why->has_value());
    EXPECT_EQ((*why)->code, "EPROTO");
}

TEST(BlockingClient, SessionCloseCodes) {
    FakeGateway gw;
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.url()));
    auto s = c.connect("127.0.0.1", 7);
    ASSERT_TRUE(s);
    (void)c.request("kick", nlohmann::json::object(), 200ms);
    auto end = c.wait_session_closed();
    ASSERT_TRUE(end);
    EXPECT_EQ(end->code, close_code::policy_violation);
    EXPECT_EQ(end->reason, "kicked");
    EXPECT_EQ(c.socket(s->sock)->close_error->code, "ECONNRESET");
    EXPECT_EQ(c.connect("127.0.0.1", 7).code(), "ENOTCONN");
}

TEST(BlockingClient, CloseSessionIsClean) {
    FakeGateway gw;
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.url()));
    auto end = c.close_session(close_code::normal, "bye");
    ASSERT_TRUE(end) << end.describe();
    EXPECT_EQ(end->code, close_code::normal);
}

// Tests interleave client calls with blocking native calls on the other end
// of the relay: the session must move on while the caller is not in a call.
TEST(BlockingClient, SessionRunsWhileTheCallerIsElsewhere) {
    FakeGatewayOptions o;
    o.window = 16 * 1024;
    o.source_bytes = 1 << 20;
    FakeGateway gw(o);
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.url()));
    auto echo = c.connect("127.0.0.1", 7);
    ASSERT_TRUE(echo);
    ASSERT_TRUE(c.send(echo->sock, "hello"));
    auto source = c.connect("127.0.0.1", 2);
    ASSERT_TRUE(source);

    // No client calls while waiting: frames still go out, credit still flows.
    EXPECT_TRUE(wait_until([&] { return gw.data_bytes() >= 5; }, 10s)) << "the sent frame never reached the gateway";
    EXPECT_EQ(gw.data_bytes(), 5u);
    // Only observations (taken on the event-loop thread) while waiting.
    EXPECT_TRUE(wait_until([&] { return c.available(source->sock) == o.source_bytes; }, 10s))
        << "the source stalled while the caller made no calls";
    EXPECT_EQ(c.available(source->sock), o.source_bytes) << "automatic credit keeps the source going";
}

TEST(BlockingClient, TimedOutCallsDoNotCorruptLaterOnes) {
    FakeGateway gw;
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.url()));
    // 0 ms: the reply cannot have arrived; it lands later in the table.
    auto quick = c.connect("127.0.0.1", 7, 0ms);
    if (!quick) {
        EXPECT_EQ(quick.code(), "ETIMEDOUT");
    }
    auto later = c.connect("127.0.0.1", 7);
    ASSERT_TRUE(later);
    size_t sockets = 0;
    c.with_core([&](Client& core) { sockets = core.socket_ids().size(); });
    EXPECT_EQ(sockets, 2u);
}

}  // namespace
}  // namespace sockgate::client
