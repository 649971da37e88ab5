// The client core against an in-memory transport: request/reply matching,
// the socket table, flow control and the handling of bad gateway input.
#include <gtest/gtest.h>

#include <random>

#include "fake_transport.hpp"
#include "protocol/frame.hpp"
#include "wasm/core/client.hpp"

namespace sockgate::client {
namespace {

using nlohmann::json;
using testing::FakeTransport;

constexpr uint32_t kWindow = 100;
constexpr uint32_t kMaxFrame = 1 << 20;

// max_window 0: the field is left out, as an older gateway would.
json hello_fields(uint32_t window, uint32_t max_frame, uint32_t max_window = 0) {
    json j = {{"version", 1},     {"server", "test"},       {"session", "s1"},
              {"window", window}, {"max_frame", max_frame}, {"limits", {{"sockets", 8}, {"listeners", 2}}}};
    if (max_window != 0) j["max_window"] = max_window;
    return j;
}

json endpoint(const std::string& addr, uint16_t port) { return {{"addr", addr}, {"port", port}}; }

// A client whose session is ready, with every callback recorded.
class ClientCore : public ::testing::Test {
protected:
    void SetUp() override { make_client({}); }

    void make_client(ClientOptions options, uint32_t window = kWindow, uint32_t max_frame = kMaxFrame,
                     uint32_t max_window = 0) {
        client.reset();
        t = FakeTransport{};
        client = std::make_unique<Client>(t, options);
        auto& ev = client->events();
        ev.on_data = [this](uint32_t sock, std::string_view b) { received[sock].append(b); };
        ev.on_datagram = [this](uint32_t sock, const proto::Endpoint& from, std::string_view p) {
            datagrams.push_back({sock, from, std::string(p)});
        };
        ev.on_accept = [this](const proto::AcceptEvent& e) { accepts.push_back(e); };
        ev.on_eof = [this](uint32_t sock) { eofs.push_back(sock); };
        ev.on_closed = [this](uint32_t sock, const std::optional<ErrorInfo>& e) { closed.push_back({sock, e}); };
        ev.on_error = [this](const proto::ErrorEvent& e) { errors.push_back(e); };
        ev.on_bad_input = [this](const ErrorInfo& e) { bad.push_back(e); };
        ev.on_drained = [this](uint32_t sock) { drained.push_back(sock); };
        ev.on_session_closed = [this](uint16_t code, std::string_view) { session_closed = code; };
        if (window == 0) return;
        t.open();
        client->hello(std::nullopt, [](Result<proto::HelloReply>) {});
        t.reply(t.last_request(), hello_fields(window, max_frame, max_window));
    }

    // connect and answer it with socket `sock`.
    uint32_t connect_socket(uint32_t sock) {
        client->connect("127.0.0.1", 7, [](Result<proto::SocketReply>) {});
        t.reply(t.last_request(),
                {{"sock", sock}, {"local", endpoint("127.0.0.1", 40000)}, {"remote", endpoint("127.0.0.1", 7)}});
        return sock;
    }
    uint32_t bind_socket(uint32_t sock) {
        client->bind(proto::BindRequest{}, [](Result<proto::SocketReply>) {});
        t.reply(t.last_request(), {{"sock", sock}, {"local", endpoint("127.0.0.1", 40001)}});
        return sock;
    }
    void inject_data(uint32_t sock, const std::string& bytes) { t.inject_binary(proto::encode_data(sock, bytes)); }
    void inject_window(uint32_t sock, uint32_t n) { t.inject_binary(proto::encode_window(sock, n)); }

    struct DatagramSeen {
        uint32_t sock;
        proto::Endpoint from;
        std::string payload;
    };
    struct ClosedSeen {
        uint32_t sock;
        std::optional<ErrorInfo> error;
    };

    FakeTransport t;
    std::unique_ptr<Client> client;
    std::map<uint32_t, std::string> received;
    std::vector<DatagramSeen> datagrams;
    std::vector<proto::AcceptEvent> accepts;
    std::vector<uint32_t> eofs;
    std::vector<ClosedSeen> closed;
    std::vector<proto::ErrorEvent> errors;
    std::vector<ErrorInfo> bad;
    std::vector<uint32_t> drained;
    std::optional<uint16_t> session_closed;
};

// ---------------------------------------------------------------- session

TEST_F(ClientCore, HelloMovesSessionToReadyAndKeepsReply) {
    make_client({}, 0);  // not opened
    EXPECT_EQ(client->state(), SessionState::connecting);
    t.open();
    EXPECT_EQ(client->state(), SessionState::open);

    std::optional<Result<proto::HelloReply>> got;
    client->hello("secret", [&](Result<proto::HelloReply> r) { got = r; });
    const json req = t.last_request();
    EXPECT_EQ(req["op"], "hello");
    EXPECT_EQ(req["version"], 1);
    EXPECT_EQ(req["token"], "secret");
    t.reply(req, hello_fields(4096, 65536));

    ASSERT_TRUE(got && got->ok());
    EXPECT_EQ((*got)->window, 4096u);
    EXPECT_EQ(client->state(), SessionState::ready);
    EXPECT_EQ(client->window(), 4096u);
    EXPECT_EQ(client->max_frame(), 65536u);
    EXPECT_EQ(client->session()->session, "s1");
    EXPECT_EQ(client->session()->limits.listeners, 2u);
}

TEST_F(ClientCore, HelloErrorLeavesSessionOpen) {
    make_client({}, 0);
    t.open();
    std::optional<Result<proto::HelloReply>> got;
    client->hello("wrong", [&](Result<proto::HelloReply> r) { got = r; });
    t.reply_error(t.last_request(), "EACCES");
    ASSERT_TRUE(got);
    EXPECT_EQ(got->code(), "EACCES");
    EXPECT_EQ(client->state(), SessionState::open);
}

TEST_F(ClientCore, RequestBeforeOpenFailsAtOnceWithEnotconn) {
    make_client({}, 0);
    std::optional<Result<proto::SocketReply>> got;
    EXPECT_EQ(client->connect("127.0.0.1", 7, [&](Result<proto::SocketReply> r) { got = r; }), 0);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->code(), "ENOTCONN");
    EXPECT_TRUE(t.texts.empty());
}

TEST_F(ClientCore, RepliesAreMatchedByIdInAnyOrder) {
    std::optional<Result<proto::SocketReply>> a, b;
    const int64_t id_a = client->connect("127.0.0.1", 1000, [&](Result<proto::SocketReply> r) { a = r; });
    const json req_a = t.last_request();
    const int64_t id_b = client->connect("127.0.0.1", 2000, [&](Result<proto::SocketReply> r) { b = r; });
    const json req_b = t.last_request();
    EXPECT_NE(id_a, id_b);
    EXPECT_EQ(req_a["id"], id_a);
    EXPECT_EQ(req_b["port"], 2000);
    EXPECT_EQ(client->pending_requests(), 2u);

    t.reply(req_b, {{"sock", 9}, {"local", endpoint("127.0.0.1", 1)}, {"remote", endpoint("127.0.0.1", 2000)}});
    EXPECT_FALSE(a);
    ASSERT_TRUE(b && b->ok());
    EXPECT_EQ((*b)->sock, 9u);
    t.reply_error(req_a, "ECONNREFUSED");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->code(), "ECONNREFUSED");
    EXPECT_EQ(a->error().message, "test says ECONNREFUSED");
    EXPECT_EQ(client->pending_requests(), 0u);

    // The table knows the connected socket and nothing of the refused one.
    const SocketInfo* s = client->socket(9);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->kind, SocketKind::tcp_stream);
    EXPECT_EQ(s->remote->port, 2000);
    EXPECT_EQ(s->send_credit, kWindow);
    EXPECT_EQ(client->socket_ids().size(), 1u);
}

TEST_F(ClientCore, ReplyWithUnknownIdIsReportedNotFatal) {
    t.inject_json({{"op", "connect"}, {"id", 777}, {"ok", true}, {"sock", 1}});
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].code, "EPROTO");
    EXPECT_NE(bad[0].message.find("777"), std::string::npos);
    EXPECT_EQ(client->socket(1), nullptr);
    // The session still works.
    connect_socket(3);
    EXPECT_NE(client->socket(3), nullptr);
}

TEST_F(ClientCore, EventWithUnknownOpIsIgnored) {
    connect_socket(3);
    // An event a later gateway may send, about a socket the client has.
    t.inject_json({{"op", "resized"}, {"sock", 3}, {"window", 1}});
    EXPECT_TRUE(bad.empty()) << bad[0].message;
    EXPECT_NE(client->socket(3), nullptr);
    // A known event is still read and checked.
    t.inject_json({{"op", "eof"}});
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].code, "EBADMSG");
}

TEST_F(ClientCore, ReplyWithWrongOpFailsTheRequest) {
    std::optional<Result<proto::ResolveReply>> got;
    client->resolve("localhost", [&](Result<proto::ResolveReply> r) { got = r; });
    json req = t.last_request();
    req["op"] = "connect";
    t.reply(req, {{"addrs", json::array()}});
    ASSERT_TRUE(got);
    EXPECT_EQ(got->code(), "EPROTO");
    ASSERT_EQ(bad.size(), 1u);
}

TEST_F(ClientCore, ReplyMissingFieldsFailsWithEbadmsg) {
    std::optional<Result<proto::SocketReply>> got;
    client->connect("127.0.0.1", 7, [&](Result<proto::SocketReply> r) { got = r; });
    t.reply(t.last_request(), {{"sock", 4}});  // no "local"
    ASSERT_TRUE(got);
    EXPECT_EQ(got->code(), "EBADMSG");
    EXPECT_EQ(client->socket(4), nullptr);
    EXPECT_EQ(bad.size(), 1u);
}

TEST_F(ClientCore, ResolveReplyIsTyped) {
    std::optional<Result<proto::ResolveReply>> got;
    client->resolve("localhost", [&](Result<proto::ResolveReply> r) { got = r; });
    EXPECT_EQ(t.last_request()["host"], "localhost");
    t.reply(t.last_request(), {{"addrs", {"127.0.0.1", "::1"}}});
    ASSERT_TRUE(got && got->ok());
    EXPECT_EQ((*got)->addrs.size(), 2u);
}

TEST_F(ClientCore, ErrorEventWithIdAnswersThatRequest) {
    std::optional<Result<proto::SocketReply>> got;
    const int64_t id = client->connect("127.0.0.1", 7, [&](Result<proto::SocketReply> r) { got = r; });
    t.inject_json({{"op", "error"}, {"id", id}, {"error", {{"code", "EINVAL"}, {"message", "bad request"}}}});
    ASSERT_TRUE(got);
    EXPECT_EQ(got->code(), "EINVAL");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].id, id);
    EXPECT_EQ(client->pending_requests(), 0u);
}

TEST_F(ClientCore, ErrorEventWithoutIdIsPassedOn) {
    t.inject_json({{"op", "error"}, {"error", {{"code", "EBADMSG"}, {"message", "malformed JSON"}}}});
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].error.code, "EBADMSG");
    EXPECT_FALSE(errors[0].id);
    EXPECT_TRUE(bad.empty());
}

TEST_F(ClientCore, TransportCloseFailsPendingRequestsAndClosesSockets) {
    const uint32_t sock = connect_socket(5);
    std::vector<std::string> codes;
    client->resolve("a", [&](Result<proto::ResolveReply> r) { codes.push_back(r.code()); });
    client->connect("127.0.0.1", 8, [&](Result<proto::SocketReply> r) {
        codes.push_back(r.code());
        // Requests from inside the callback fail at once.
        client->resolve("b", [&](Result<proto::ResolveReply> r2) { codes.push_back(r2.code()); });
    });
    t.inject_close(close_code::abnormal, "gone");

    EXPECT_EQ(codes, (std::vector<std::string>{"ECONNRESET", "ECONNRESET", "ENOTCONN"}));
    EXPECT_EQ(client->state(), SessionState::closed);
    EXPECT_EQ(client->pending_requests(), 0u);
    EXPECT_EQ(session_closed, close_code::abnormal);
    EXPECT_EQ(client->session_close()->reason, "gone");
    const SocketInfo* s = client->socket(sock);
    EXPECT_EQ(s->state, SocketState::closed);
    EXPECT_EQ(s->close_error->code, "ECONNRESET");
    EXPECT_EQ(client->send(sock, "x").code(), "ENOTCONN");
}

TEST_F(ClientCore, CloseSessionAsksTheTransport) {
    client->close_session(close_code::normal, "bye");
    ASSERT_TRUE(t.close_call);
    EXPECT_EQ(t.close_call->code, close_code::normal);
    EXPECT_EQ(client->state(), SessionState::closing);
    t.inject_close(close_code::normal, "bye");
    EXPECT_EQ(client->state(), SessionState::closed);
}

// ---------------------------------------------------------------- sending

TEST_F(ClientCore, SendNeverExceedsCreditAndFlushesOnWindow) {
    const uint32_t sock = connect_socket(1);
    const std::string payload(250, 'a');
    ASSERT_TRUE(client->send(sock, payload));
    EXPECT_EQ(t.data_sent(sock).size(), kWindow);
    EXPECT_EQ(client->queued(sock), 150u);
    EXPECT_EQ(client->queued_total(), 150u);
    EXPECT_EQ(client->socket(sock)->send_credit, 0u);
    EXPECT_EQ(client->socket(sock)->bytes_out, kWindow);

    inject_window(sock, 60);
    EXPECT_EQ(t.data_sent(sock).size(), 160u);
    EXPECT_EQ(client->queued(sock), 90u);
    EXPECT_TRUE(drained.empty());

    inject_window(sock, 1000);
    EXPECT_EQ(t.data_sent(sock), payload);
    EXPECT_EQ(client->queued(sock), 0u);
    EXPECT_EQ(client->socket(sock)->send_credit, 910u);
    EXPECT_EQ(drained, std::vector<uint32_t>{sock});
}

TEST_F(ClientCore, QueuedBytesKeepTheirOrderAcrossSends) {
    const uint32_t sock = connect_socket(1);
    std::string all;
    for (int i = 0; i < 50; ++i) {
        const std::string piece = std::to_string(i) + ";";
        all += piece;
        ASSERT_TRUE(client->send(sock, piece));
    }
    for (int i = 0; i < 40; ++i) inject_window(sock, 3);
    inject_window(sock, 1000);
    EXPECT_EQ(t.data_sent(sock), all);
}

TEST_F(ClientCore, SendSplitsFramesByMaxFrame) {
    make_client({}, 1000, 15);  // at most 10 payload bytes a frame
    const uint32_t sock = connect_socket(2);
    std::string payload;
    for (int i = 0; i < 95; ++i) payload.push_back(char('a' + i % 26));
    ASSERT_TRUE(client->send(sock, payload));
    ASSERT_EQ(t.frames.size(), 10u);
    for (const auto& f : t.frames) EXPECT_LE(f.size(), 15u);
    EXPECT_EQ(t.data_sent(sock), payload);

    // Queued data is split the same way when credit arrives.
    ASSERT_TRUE(client->send(sock, std::string(2000, 'z')));
    inject_window(sock, 5000);
    for (const auto& f : t.frames) EXPECT_LE(f.size(), 15u);
    EXPECT_EQ(t.data_sent(sock).size(), 2095u);
}

TEST_F(ClientCore, ShutdownWaitsUntilQueuedDataIsSent) {
    const uint32_t sock = connect_socket(1);
    ASSERT_TRUE(client->send(sock, std::string(150, 'b')));
    const size_t texts_before = t.texts.size();
    std::optional<Status> done;
    EXPECT_NE(client->shutdown(sock, [&](Status s) { done = s; }), 0);
    EXPECT_EQ(t.texts.size(), texts_before) << "shutdown must not overtake queued data";
    EXPECT_TRUE(client->socket(sock)->shutdown_sent);
    EXPECT_EQ(client->send(sock, "more").code(), "EPIPE");

    inject_window(sock, 50);
    const json req = t.last_request();
    EXPECT_EQ(req["op"], "shutdown");
    EXPECT_EQ(req["sock"], sock);
    // The shutdown request follows the last DATA frame.
    EXPECT_EQ(t.data_sent(sock).size(), 150u);
    t.reply(req);
    ASSERT_TRUE(done && done->ok());
}

TEST_F(ClientCore, SendChecksTheSocket) {
    EXPECT_EQ(client->send(42, "x").code(), "EBADF");
    const uint32_t udp = bind_socket(3);
    EXPECT_EQ(client->send(udp, "x").code(), "EOPNOTSUPP");
    const uint32_t sock = connect_socket(1);
    EXPECT_TRUE(client->send(sock, ""));
    EXPECT_TRUE(t.frames.empty());
}

// A caller that frames DATA itself (the browser page) takes the credit for
// what goes out now and hands the rest to send(), which queues it in order.
TEST_F(ClientCore, SendCreditTakenElsewhereIsCountedAndTheRestQueuesBehind) {
    const uint32_t sock = connect_socket(1);
    const Result<uint64_t> now = client->take_send_credit(sock, 250);
    ASSERT_TRUE(now);
    EXPECT_EQ(*now, kWindow);
    EXPECT_EQ(client->socket(sock)->send_credit, 0u);
    EXPECT_EQ(client->socket(sock)->bytes_out, kWindow);
    EXPECT_TRUE(t.frames.empty()) << "the caller writes these frames, not the Client";

    ASSERT_TRUE(client->send(sock, std::string(150, 'q')));
    EXPECT_EQ(client->queued(sock), 150u);
    inject_window(sock, 40);
    const Result<uint64_t> behind = client->take_send_credit(sock, 10);
    ASSERT_TRUE(behind);
    EXPECT_EQ(*behind, 0u) << "bytes still queued: new ones must wait behind them";
    EXPECT_EQ(client->queued(sock), 110u);

    inject_window(sock, 1000);
    EXPECT_EQ(t.data_sent(sock), std::string(150, 'q'));
    const Result<uint64_t> after = client->take_send_credit(sock, 10);
    ASSERT_TRUE(after);
    EXPECT_EQ(*after, 10u);
    EXPECT_EQ(client->socket(sock)->bytes_out, 260u);
}

// A caller that reads WINDOW frames itself passes them on: the Client's
// queue goes out first, and what credit is left is the caller's to take.
TEST_F(ClientCore, WindowReadElsewhereSendsTheQueueFirst) {
    const uint32_t sock = connect_socket(1);
    ASSERT_TRUE(client->send(sock, std::string(kWindow + 40, 'q')));
    client->on_window_read_elsewhere(sock, 100);
    EXPECT_EQ(t.data_sent(sock).size(), kWindow + 40);
    EXPECT_EQ(drained, std::vector<uint32_t>{sock});
    EXPECT_EQ(*client->take_send_credit(sock, 1000), 60u);

    client->on_window_read_elsewhere(99, 5);
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_NE(bad[0].message.find("socket 99"), std::string::npos);
}

TEST_F(ClientCore, SendCreditIsRefusedAsSendWouldBe) {
    EXPECT_EQ(client->take_send_credit(42, 1).code(), "EBADF");
    const uint32_t udp = bind_socket(3);
    EXPECT_EQ(client->take_send_credit(udp, 1).code(), "EOPNOTSUPP");
    const uint32_t sock = connect_socket(1);
    client->shutdown(sock, [](Status) {});
    EXPECT_EQ(client->take_send_credit(sock, 1).code(), "EPIPE");
    EXPECT_EQ(client->max_payload(), kMaxFrame - proto::kFrameHeaderSize);
}

// ---------------------------------------------------------------- receiving
// A caller that reads DATA frames itself (the browser page) reports only
// their sizes: the Client checks, counts and grants as for frames it reads.
TEST_F(ClientCore, DataReadElsewhereIsCheckedCountedAndGranted) {
    const uint32_t sock = connect_socket(1);
    EXPECT_TRUE(client->on_data_read_elsewhere(sock, 30));
    EXPECT_TRUE(received.empty()) << "the caller delivers these bytes, not on_data";
    EXPECT_EQ(client->socket(sock)->bytes_in, 30u);
    EXPECT_EQ(client->socket(sock)->recv_credit, 70u);
    EXPECT_EQ(t.window_sent(sock), 0u);
    EXPECT_TRUE(client->on_data_read_elsewhere(sock, 30));
    EXPECT_EQ(t.window_sent(sock), 60u);

    EXPECT_FALSE(client->on_data_read_elsewhere(99, 5));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].code, "EPROTO");
    EXPECT_NE(bad[0].message.find("socket 99"), std::string::npos);

    // Overrunning the credit is reported, and the bytes still delivered.
    ASSERT_TRUE(client->set_manual_credit(sock, true));
    EXPECT_TRUE(client->on_data_read_elsewhere(sock, kWindow + 5));
    EXPECT_EQ(bad.size(), 2u);
    EXPECT_EQ(client->socket(sock)->overrun, 5u);
    EXPECT_EQ(client->socket(sock)->unconsumed, kWindow + 5);

    // Data still in flight when we closed the socket is dropped quietly.
    client->close(sock, [](Status) {});
    EXPECT_FALSE(client->on_data_read_elsewhere(sock, 1));
    EXPECT_EQ(bad.size(), 2u);
}

TEST_F(ClientCore, AutomaticCreditIsGrantedInBatches) {
    const uint32_t sock = connect_socket(1);
    inject_data(sock, std::string(30, 'x'));
    EXPECT_EQ(received[sock].size(), 30u);
    EXPECT_EQ(t.window_sent(sock), 0u) << "30 < window/2: not worth a frame yet";
    EXPECT_EQ(client->socket(sock)->recv_credit, 70u);
    inject_data(sock, std::string(30, 'y'));
    EXPECT_EQ(t.window_sent(sock), 60u);
    EXPECT_EQ(t.window_frames(sock), 1u);
    EXPECT_EQ(client->socket(sock)->recv_credit, kWindow);
    EXPECT_EQ(client->socket(sock)->bytes_in, 60u);
}

TEST_F(ClientCore, ManualCreditIsGrantedOnlyOnConsume) {
    make_client(ClientOptions{true, 0});
    const uint32_t sock = connect_socket(1);
    EXPECT_TRUE(client->socket(sock)->manual_credit);
    inject_data(sock, std::string(kWindow, 'x'));
    EXPECT_EQ(received[sock].size(), kWindow);
    EXPECT_EQ(t.window_sent(sock), 0u);
    EXPECT_EQ(client->socket(sock)->unconsumed, kWindow);
    EXPECT_EQ(client->socket(sock)->recv_credit, 0u);

    ASSERT_TRUE(client->consume(sock, 40));
    EXPECT_EQ(t.window_sent(sock), 0u);
    ASSERT_TRUE(client->consume(sock, 20));
    EXPECT_EQ(t.window_sent(sock), 60u);
    EXPECT_EQ(client->consume(sock, 41).code(), "EINVAL");
    ASSERT_TRUE(client->consume(sock, 10));
    ASSERT_TRUE(client->grant_now(sock));
    EXPECT_EQ(t.window_sent(sock), 70u);
    EXPECT_EQ(client->socket(sock)->recv_credit, 70u);
}

TEST_F(ClientCore, ReceiveWindowDoublesWhileTheGatewaySpendsAllItsCredit) {
    make_client({}, kWindow, kMaxFrame, 4 * kWindow);
    const uint32_t sock = connect_socket(1);
    EXPECT_EQ(client->socket(sock)->recv_window, kWindow);
    inject_data(sock, std::string(kWindow, 'a'));
    EXPECT_EQ(t.window_sent(sock), 2u * kWindow) << "the 100 consumed plus 100 of growth";
    EXPECT_EQ(client->socket(sock)->recv_window, 2u * kWindow);
    EXPECT_EQ(client->socket(sock)->recv_credit, 2u * kWindow);
    inject_data(sock, std::string(2 * kWindow, 'b'));
    EXPECT_EQ(client->socket(sock)->recv_window, 4u * kWindow);
    inject_data(sock, std::string(4 * kWindow, 'c'));
    EXPECT_EQ(client->socket(sock)->recv_window, 4u * kWindow) << "never beyond max_window";
    EXPECT_EQ(client->socket(sock)->recv_credit, 4u * kWindow);
    EXPECT_EQ(t.window_sent(sock), 2u * kWindow + 4 * kWindow + 4 * kWindow);
    EXPECT_TRUE(bad.empty());
}

TEST_F(ClientCore, ReceiveWindowStaysWhileTheGatewayHasCreditLeft) {
    make_client({}, kWindow, kMaxFrame, 4 * kWindow);
    const uint32_t sock = connect_socket(1);
    for (int i = 0; i < 10; ++i) inject_data(sock, std::string(kWindow / 2, 'a'));
    EXPECT_EQ(client->socket(sock)->recv_window, kWindow);
    EXPECT_EQ(t.window_sent(sock), 5u * kWindow) << "exactly what was consumed";
}

TEST_F(ClientCore, ReceiveWindowStaysWhileTheProgramLagsBehind) {
    make_client(ClientOptions{true, 0}, kWindow, kMaxFrame, 4 * kWindow);
    const uint32_t sock = connect_socket(1);
    inject_data(sock, std::string(kWindow, 'a'));
    ASSERT_TRUE(client->consume(sock, 60));
    EXPECT_EQ(t.window_sent(sock), 60u) << "40 bytes still unread: no growth";
    EXPECT_EQ(client->socket(sock)->recv_window, kWindow);
    inject_data(sock, std::string(60, 'b'));
    ASSERT_TRUE(client->consume(sock, 100));
    EXPECT_EQ(client->socket(sock)->recv_window, 2u * kWindow) << "all read, gateway out of credit: grow";
}

TEST_F(ClientCore, ReceiveWindowNeverGrowsWithoutMaxWindowOrWhenTurnedOff) {
    const uint32_t sock = connect_socket(1);  // the hello reply had no max_window
    inject_data(sock, std::string(kWindow, 'a'));
    EXPECT_EQ(t.window_sent(sock), kWindow);
    ClientOptions fixed;
    fixed.grow_windows = false;
    make_client(fixed, kWindow, kMaxFrame, 4 * kWindow);
    const uint32_t other = connect_socket(2);
    inject_data(other, std::string(kWindow, 'a'));
    EXPECT_EQ(t.window_sent(other), kWindow);
    EXPECT_EQ(client->socket(other)->recv_window, kWindow);
}

TEST_F(ClientCore, LeavingManualModeConsumesEverything) {
    const uint32_t sock = connect_socket(1);
    ASSERT_TRUE(client->set_manual_credit(sock, true));
    inject_data(sock, std::string(80, 'x'));
    EXPECT_EQ(t.window_sent(sock), 0u);
    ASSERT_TRUE(client->set_manual_credit(sock, false));
    EXPECT_EQ(t.window_sent(sock), 80u);
}

TEST_F(ClientCore, GrantThresholdOption) {
    make_client(ClientOptions{false, 10});
    const uint32_t sock = connect_socket(1);
    inject_data(sock, std::string(9, 'x'));
    EXPECT_EQ(t.window_sent(sock), 0u);
    inject_data(sock, "x");
    EXPECT_EQ(t.window_sent(sock), 10u);
}

// Whatever the chunk sizes, a gateway that sends all the credit it has never
// stalls while the client consumes everything it gets.
TEST_F(ClientCore, CreditNeverStallsAConsumingReader) {
    const uint32_t sock = connect_socket(1);
    std::mt19937 rng(7);
    uint64_t gateway_credit = kWindow;
    uint64_t granted_seen = 0;
    for (int i = 0; i < 2000; ++i) {
        ASSERT_GT(gateway_credit, 0u) << "stalled at step " << i;
        const uint64_t n = 1 + rng() % gateway_credit;
        inject_data(sock, std::string(n, 'd'));
        gateway_credit -= n;
        const uint64_t granted = t.window_sent(sock);
        gateway_credit += granted - granted_seen;
        granted_seen = granted;
        ASSERT_LE(gateway_credit, kWindow);
    }
    EXPECT_TRUE(bad.empty());
}

TEST_F(ClientCore, OverrunIsReported) {
    const uint32_t sock = connect_socket(1);
    ASSERT_TRUE(client->set_manual_credit(sock, true));
    inject_data(sock, std::string(kWindow + 5, 'x'));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].code, "EPROTO");
    EXPECT_EQ(client->socket(sock)->overrun, 5u);
}

TEST_F(ClientCore, EofSetsTheFlagAndStopsGrants) {
    const uint32_t sock = connect_socket(1);
    inject_data(sock, std::string(10, 'x'));
    t.inject_json({{"op", "eof"}, {"sock", sock}});
    EXPECT_EQ(eofs, std::vector<uint32_t>{sock});
    EXPECT_TRUE(client->socket(sock)->eof_received);
    EXPECT_TRUE(client->socket(sock)->is_open());
    ASSERT_TRUE(client->grant_now(sock));
    EXPECT_EQ(t.window_sent(sock), 0u);
    // We may still send after the peer's FIN.
    EXPECT_TRUE(client->send(sock, "reply"));
    inject_data(sock, "late");
    EXPECT_EQ(bad.size(), 1u);
}

// ---------------------------------------------------------------- socket table

TEST_F(ClientCore, ListenAndAcceptAddSockets) {
    std::optional<Result<proto::SocketReply>> got;
    proto::ListenRequest lr;
    lr.host = "127.0.0.1";
    lr.port = 0;
    lr.backlog = 4;
    client->listen(lr, [&](Result<proto::SocketReply> r) { got = r; });
    const json req = t.last_request();
    EXPECT_EQ(req["proto"], "tcp");
    EXPECT_EQ(req["backlog"], 4);
    t.reply(req, {{"sock", 10}, {"local", endpoint("127.0.0.1", 5555)}});
    ASSERT_TRUE(got && got->ok());
    EXPECT_EQ(client->socket(10)->kind, SocketKind::tcp_listener);
    EXPECT_EQ(client->send(10, "x").code(), "EOPNOTSUPP");

    t.inject_json({{"op", "accept"},
                   {"listener", 10},
                   {"sock", 11},
                   {"local", endpoint("127.0.0.1", 5555)},
                   {"remote", endpoint("127.0.0.1", 41000)}});
    ASSERT_EQ(accepts.size(), 1u);
    EXPECT_EQ(accepts[0].sock, 11u);
    const SocketInfo* s = client->socket(11);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->kind, SocketKind::tcp_stream);
    EXPECT_EQ(s->listener, 10u);
    EXPECT_EQ(s->remote->port, 41000);
    EXPECT_EQ(s->send_credit, kWindow);
    EXPECT_TRUE(client->send(11, "hi"));
    EXPECT_TRUE(bad.empty());
}

TEST_F(ClientCore, AcceptFromUnknownListenerIsReportedButKept) {
    t.inject_json({{"op", "accept"},
                   {"listener", 99},
                   {"sock", 12},
                   {"local", endpoint("127.0.0.1", 1)},
                   {"remote", endpoint("127.0.0.1", 2)}});
    EXPECT_EQ(bad.size(), 1u);
    EXPECT_NE(client->socket(12), nullptr);
}

TEST_F(ClientCore, ClosedEventUpdatesStateAndDiscardsQueue) {
    const uint32_t sock = connect_socket(1);
    ASSERT_TRUE(client->send(sock, std::string(300, 'q')));
    std::optional<Status> shut;
    client->shutdown(sock, [&](Status s) { shut = s; });
    t.inject_json({{"op", "closed"}, {"sock", sock}, {"error", {{"code", "EPROTO"}, {"message", "overrun"}}}});

    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0].error->code, "EPROTO");
    const SocketInfo* s = client->socket(sock);
    EXPECT_EQ(s->state, SocketState::closed);
    EXPECT_EQ(s->close_error->code, "EPROTO");
    EXPECT_EQ(client->queued(sock), 0u);
    ASSERT_TRUE(shut);
    EXPECT_EQ(shut->code(), "EPROTO");
    EXPECT_EQ(client->send(sock, "x").code(), "EBADF");
    // Late frames for a closed socket are reported.
    inject_data(sock, "late");
    EXPECT_EQ(bad.size(), 1u);

    client->forget_closed();
    EXPECT_EQ(client->socket(sock), nullptr);
}

TEST_F(ClientCore, CloseDropsLateDataAndEndsOnReply) {
    const uint32_t sock = connect_socket(1);
    ASSERT_TRUE(client->send(sock, std::string(300, 'q')));
    std::optional<Status> done;
    client->close(sock, [&](Status s) { done = s; });
    const json req = t.last_request();
    EXPECT_EQ(req["op"], "close");
    EXPECT_EQ(client->socket(sock)->state, SocketState::closing);
    EXPECT_EQ(client->queued(sock), 0u);
    inject_data(sock, "in flight");
    inject_window(sock, 50);
    EXPECT_TRUE(bad.empty()) << "frames sent before the gateway saw close are no error";
    EXPECT_TRUE(received[sock].empty());
    EXPECT_EQ(t.data_sent(sock).size(), kWindow);

    t.reply(req);
    ASSERT_TRUE(done && done->ok());
    EXPECT_EQ(client->socket(sock)->state, SocketState::closed);
    EXPECT_FALSE(client->socket(sock)->close_error);
    EXPECT_TRUE(closed.empty()) << "on_closed is for the gateway's closed events";
    EXPECT_EQ(client->close(sock, nullptr), 0);
}

TEST_F(ClientCore, ReusedSocketIdStartsAfresh) {
    const uint32_t sock = connect_socket(1);
    inject_data(sock, std::string(10, 'x'));
    t.inject_json({{"op", "closed"}, {"sock", sock}});
    connect_socket(sock);
    const SocketInfo* s = client->socket(sock);
    EXPECT_TRUE(s->is_open());
    EXPECT_EQ(s->bytes_in, 0u);
    EXPECT_TRUE(bad.empty());
    // Reusing an open id is the gateway's mistake.
    connect_socket(sock);
    EXPECT_EQ(bad.size(), 1u);
}

TEST_F(ClientCore, RawRequestsStillUpdateTheTable) {
    std::optional<Result<json>> got;
    client->request("connect", {{"proto", "tcp"}, {"host", "127.0.0.1"}, {"port", 7}, {"extra", true}},
                    [&](Result<json> r) { got = r; });
    EXPECT_EQ(t.last_request()["extra"], true);
    t.reply(t.last_request(), {{"sock", 6}, {"local", endpoint("127.0.0.1", 1)}, {"remote", endpoint("127.0.0.1", 7)}});
    ASSERT_TRUE(got && got->ok());
    EXPECT_EQ((**got)["sock"], 6);
    EXPECT_NE(client->socket(6), nullptr);
}

TEST_F(ClientCore, RawCloseMarksTheSocketClosed) {
    const uint32_t sock = connect_socket(4);
    client->request("close", {{"sock", sock}}, nullptr);
    t.reply(t.last_request());
    EXPECT_EQ(client->socket(sock)->state, SocketState::closed);
}

// ---------------------------------------------------------------- UDP

TEST_F(ClientCore, SendToBuildsDatagramFrames) {
    const uint32_t sock = bind_socket(3);
    EXPECT_EQ(client->socket(sock)->kind, SocketKind::udp);
    ASSERT_TRUE(client->send_to(sock, "127.0.0.1", 9999, "ping"));
    ASSERT_TRUE(client->send_to(sock, "::1", 53, ""));
    const auto frames = t.decoded_frames();
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].kind, proto::FrameKind::datagram);
    EXPECT_EQ(frames[0].peer_addr.to_string(), "127.0.0.1");
    EXPECT_EQ(frames[0].peer_port, 9999);
    EXPECT_EQ(frames[0].payload, "ping");
    EXPECT_EQ(frames[1].peer_addr.family, 6);
    EXPECT_EQ(client->socket(sock)->datagrams_out, 2u);

    EXPECT_EQ(client->send_to(sock, "localhost", 1, "x").code(), "EINVAL");
    EXPECT_EQ(client->send_to(sock, "127.0.0.1", 1, std::string(proto::kMaxDatagramPayload + 1, 'x')).code(),
              "EMSGSIZE");
    const uint32_t tcp = connect_socket(1);
    EXPECT_EQ(client->send_to(tcp, "127.0.0.1", 1, "x").code(), "EOPNOTSUPP");
}

TEST_F(ClientCore, SendToRespectsMaxFrame) {
    make_client({}, 1000, 100);
    const uint32_t sock = bind_socket(3);
    EXPECT_TRUE(client->send_to(sock, "127.0.0.1", 1, std::string(100 - 12, 'x')));
    EXPECT_EQ(client->send_to(sock, "127.0.0.1", 1, std::string(100 - 11, 'x')).code(), "EMSGSIZE");
}

TEST_F(ClientCore, DatagramsAreDeliveredWithTheirSource) {
    const uint32_t sock = bind_socket(3);
    t.inject_binary(proto::encode_datagram(sock, *proto::IpAddress::parse("127.0.0.1"), 4242, "pong"));
    ASSERT_EQ(datagrams.size(), 1u);
    EXPECT_EQ(datagrams[0].sock, sock);
    EXPECT_EQ(datagrams[0].from.addr, "127.0.0.1");
    EXPECT_EQ(datagrams[0].from.port, 4242);
    EXPECT_EQ(datagrams[0].payload, "pong");
    EXPECT_EQ(client->socket(sock)->datagrams_in, 1u);
    EXPECT_EQ(t.window_sent(sock), 0u) << "UDP has no credit";
}

// A caller that writes DATAGRAM frames itself asks first: the same checks
// as send_to, in the same order, and the datagram counted only when allowed.
TEST_F(ClientCore, DatagramSendTakenElsewhereIsCheckedAndCounted) {
    make_client({}, 1000, 100);
    const uint32_t sock = bind_socket(3);
    EXPECT_TRUE(client->take_datagram_send(sock, 4, 100 - 12));
    EXPECT_TRUE(client->take_datagram_send(sock, 6, 0));
    EXPECT_EQ(client->socket(sock)->datagrams_out, 2u);
    EXPECT_EQ(client->socket(sock)->bytes_out, 88u);
    EXPECT_TRUE(t.decoded_frames().empty()) << "the caller writes the frame";

    EXPECT_EQ(client->take_datagram_send(sock, 4, 100 - 11).code(), "EMSGSIZE");
    EXPECT_EQ(client->take_datagram_send(sock, 6, 100 - 23).code(), "EMSGSIZE");
    EXPECT_EQ(client->take_datagram_send(sock, 5, 1).code(), "EINVAL");
    EXPECT_EQ(client->take_datagram_send(42, 4, 1).code(), "EBADF");
    const uint32_t tcp = connect_socket(1);
    EXPECT_EQ(client->take_datagram_send(tcp, 4, 1).code(), "EOPNOTSUPP");
    EXPECT_EQ(client->socket(sock)->datagrams_out, 2u) << "a refused datagram was counted";
}

TEST_F(ClientCore, DatagramsReadElsewhereAreCheckedAndCounted) {
    const uint32_t sock = bind_socket(3);
    EXPECT_TRUE(client->on_datagram_read_elsewhere(sock, 4));
    EXPECT_TRUE(client->on_datagram_read_elsewhere(sock, 0));
    EXPECT_TRUE(datagrams.empty()) << "the caller delivers these, not on_datagram";
    EXPECT_EQ(client->socket(sock)->datagrams_in, 2u);
    EXPECT_EQ(client->socket(sock)->bytes_in, 4u);

    EXPECT_FALSE(client->on_datagram_read_elsewhere(99, 1));
    const uint32_t tcp = connect_socket(1);
    EXPECT_FALSE(client->on_datagram_read_elsewhere(tcp, 1));
    ASSERT_EQ(bad.size(), 2u);
    EXPECT_NE(bad[0].message.find("socket 99"), std::string::npos);
    EXPECT_NE(bad[1].message.find("not UDP"), std::string::npos);

    // In flight when we closed it: dropped quietly.
    client->close(sock, [](Status) {});
    EXPECT_FALSE(client->on_datagram_read_elsewhere(sock, 1));
    EXPECT_EQ(bad.size(), 2u);
}

// ---------------------------------------------------------------- bad input

TEST_F(ClientCore, MalformedTextIsReported) {
    t.inject_text("{not json");
    t.inject_text("[1,2]");
    t.inject_text(R"({"id":1})");
    t.inject_text(R"({"op":"eof"})");
    t.inject_text(R"({"op":"surprise"})");        // an event of a later version: ignored
    t.inject_text(R"({"op":"connect","id":1})");  // a reply without "ok"
    ASSERT_EQ(bad.size(), 5u);
    EXPECT_EQ(bad[0].code, "EBADMSG");
    EXPECT_EQ(bad[1].code, "EBADMSG");
    EXPECT_EQ(bad[2].code, "EINVAL");
    EXPECT_EQ(bad[3].code, "EBADMSG");
    EXPECT_NE(bad[4].message.find("connect"), std::string::npos) << bad[4].message;
    EXPECT_EQ(client->bad_input_count(), 5u);
    EXPECT_EQ(client->state(), SessionState::ready);
}

TEST_F(ClientCore, BadFramesAreReported) {
    const uint32_t udp = bind_socket(3);
    const uint32_t tcp = connect_socket(1);
    t.inject_binary("");
    t.inject_binary(std::string("\x01\0\0\0", 4));
    t.inject_binary(std::string("\x09\0\0\0\x01", 5));  // unknown kind
    t.inject_binary(std::string("\x01\0\0\0\x01", 5));  // empty DATA
    t.inject_binary(proto::encode_data(77, "who?"));    // unknown socket
    t.inject_binary(proto::encode_data(udp, "x"));      // DATA on UDP
    t.inject_binary(proto::encode_window(udp, 5));      // WINDOW on UDP
    t.inject_binary(proto::encode_datagram(tcp, *proto::IpAddress::parse("::1"), 1, "x"));
    t.inject_binary(proto::encode_window(77, 5));
    EXPECT_EQ(bad.size(), 9u);
    for (const auto& b : bad) EXPECT_FALSE(b.message.empty());
    EXPECT_EQ(client->state(), SessionState::ready);
    EXPECT_TRUE(received.empty());
}

// ---------------------------------------------------------------- observers and re-entrancy

TEST_F(ClientCore, WireObserverSeesTextBothWays) {
    std::vector<std::pair<Direction, std::string>> seen;
    client->events().on_wire_text = [&](Direction d, std::string_view text) { seen.emplace_back(d, text); };
    client->resolve("x", nullptr);
    t.reply(t.last_request(), {{"addrs", json::array()}});
    client->send_raw_text("raw");
    t.inject_text("garbage");
    ASSERT_EQ(seen.size(), 4u);
    EXPECT_EQ(seen[0].first, Direction::out);
    EXPECT_EQ(seen[1].first, Direction::in);
    EXPECT_EQ(seen[2].second, "raw");
    EXPECT_EQ(seen[3].second, "garbage");
    EXPECT_EQ(t.texts.back(), "raw");
}

TEST_F(ClientCore, CallbacksMayCallBackIn) {
    const uint32_t sock = connect_socket(1);
    client->events().on_data = [&](uint32_t s, std::string_view) { client->close(s, nullptr); };
    client->events().on_closed = [&](uint32_t, const std::optional<ErrorInfo>&) { client->forget_closed(); };
    inject_data(sock, "bye");
    EXPECT_EQ(client->socket(sock)->state, SocketState::closing);
    EXPECT_EQ(t.window_sent(sock), 0u);

    const uint32_t other = connect_socket(2);
    t.inject_json({{"op", "closed"}, {"sock", other}});
    EXPECT_EQ(client->socket(other), nullptr);
}

TEST_F(ClientCore, DestroyingTheClientDetachesFromTheTransport) {
    client.reset();
    EXPECT_EQ(t.handler, nullptr);
}

}  // namespace
}  // namespace sockgate::client
