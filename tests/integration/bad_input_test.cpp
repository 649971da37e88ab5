// Bad input gets a clear error, never a crash, and never harms another session.
#include "gateway_fixture.hpp"

#include "protocol/frame.hpp"

using namespace sockgate::testing;
namespace proto = sockgate::proto;

namespace {

std::unique_ptr<BlockingClient> opened_without_hello(GatewayProcess& gw) {
    auto c = std::make_unique<BlockingClient>();
    auto o = c->open(gw.ws_url());
    EXPECT_TRUE(o) << o.describe();
    return c;
}

}  // namespace

// Named for this file's area, so `ctest -R BadInput` selects it.
class BadInput : public GatewayTest {};

TEST_F(BadInput, RequestBeforeHelloClosesWith1008) {
    auto c = opened_without_hello(gw());
    c->send_raw_text(R"({"op":"connect","id":1,"proto":"tcp","host":"127.0.0.1","port":7})");
    auto closed = c->wait_session_closed();
    ASSERT_TRUE(closed) << closed.describe();
    EXPECT_EQ(closed->code, 1008);
}

TEST_F(BadInput, BinaryFrameBeforeHelloClosesWith1008) {
    auto c = opened_without_hello(gw());
    c->send_raw_binary(proto::encode_window(1, 100));
    auto closed = c->wait_session_closed();
    ASSERT_TRUE(closed) << closed.describe();
    EXPECT_EQ(closed->code, 1008);
}

TEST_F(BadInput, WrongVersionIsRefusedAndClosedWith1002) {
    auto c = opened_without_hello(gw());
    c->send_raw_text(R"({"op":"hello","id":1,"version":2})");
    auto closed = c->wait_session_closed();
    ASSERT_TRUE(closed) << closed.describe();
    EXPECT_EQ(closed->code, 1002);
    bool saw_reply = false;
    for (const auto& t : c->texts_received()) {
        const auto j = nlohmann::json::parse(t);
        if (j.value("op", "") == "hello" && j.value("ok", true) == false) {
            EXPECT_EQ(j.at("error").at("code"), "EPROTONOSUPPORT");
            EXPECT_EQ(j.at("id"), 1);
            saw_reply = true;
        }
    }
    EXPECT_TRUE(saw_reply) << "the refusal must be a reply to the hello";
}

TEST_F(BadInput, MalformedJsonGivesEbadmsgAndSessionGoesOn) {
    TcpEchoServer echo;
    auto c = client();
    c->send_raw_text("{not json");
    auto e = c->wait_error();
    ASSERT_TRUE(e) << e.describe();
    EXPECT_EQ(e->error.code, "EBADMSG");
    c->send_raw_text("[1,2,3]");
    EXPECT_EQ(c->wait_error()->error.code, "EBADMSG");
    EXPECT_TRUE(c->connect("127.0.0.1", echo.port())) << "the session must go on";
    EXPECT_GE(metric(metrics(), "sockgate_protocol_errors_total"), 2);
}

TEST_F(BadInput, UnknownOpIsEnotsup) {
    auto c = client();
    auto r = c->request("teleport", {{"to", "mars"}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.code(), "ENOTSUP");
}

TEST_F(BadInput, BadArgumentsAreEinval) {
    auto c = client();
    EXPECT_EQ(c->request("connect", {{"proto", "tcp"}, {"host", "127.0.0.1"}, {"port", "eighty"}}).code(), "EINVAL");
    EXPECT_EQ(c->request("connect", {{"proto", "tcp"}, {"host", "127.0.0.1"}, {"port", 70000}}).code(), "EINVAL");
    EXPECT_EQ(c->request("connect", {{"proto", "tcp"}, {"port", 80}}).code(), "EINVAL");
    EXPECT_EQ(c->request("connect", {{"proto", "tcp"}, {"host", "127.0.0.1"}, {"port", -1}}).code(), "EINVAL");
    EXPECT_EQ(c->request("close", {{"sock", "one"}}).code(), "EINVAL");
    EXPECT_EQ(c->request("listen", {{"proto", "tcp"}, {"host", "not an address"}, {"port", 5000}}).code(), "EINVAL");
    EXPECT_EQ(c->request("bind", {{"proto", "udp"}, {"port", 1.5}}).code(), "EINVAL");
    auto r = c->request("connect", {{"proto", "tcp"}, {"host", "127.0.0.1"}});
    EXPECT_NE(r.error().message.find("port"), std::string::npos) << "the message should name the field";
}

TEST_F(BadInput, RequestWithoutIdGetsErrorEvent) {
    auto c = client();
    c->send_raw_text(R"({"op":"resolve","host":"localhost"})");
    auto e = c->wait_error();
    ASSERT_TRUE(e) << e.describe();
    EXPECT_EQ(e->error.code, "EINVAL");
}

TEST_F(BadInput, SecondHelloIsEinval) {
    auto c = client();
    EXPECT_EQ(c->hello().code(), "EINVAL");
}

TEST_F(BadInput, FrameForUnknownSocketIsEbadf) {
    auto c = client();
    c->send_raw_binary(proto::encode_data(4242, "lost?"));
    auto e = c->wait_error();
    ASSERT_TRUE(e) << e.describe();
    EXPECT_EQ(e->error.code, "EBADF");
    ASSERT_TRUE(e->sock);
    EXPECT_EQ(*e->sock, 4242u);
}

TEST_F(BadInput, UnknownFrameKindIsEproto) {
    auto c = client();
    c->send_raw_binary(std::string("\x7f\x00\x00\x00\x01hello", 10));
    EXPECT_EQ(c->wait_error()->error.code, "EPROTO");
    c->send_raw_binary(std::string("\x01\x00", 2));  // too short for a header
    EXPECT_EQ(c->wait_error()->error.code, "EPROTO");
}

TEST_F(BadInput, WrongFrameKindForSocketIsReported) {
    auto c = client();
    auto u = c->bind(std::string("127.0.0.1"), 0);
    ASSERT_TRUE(u) << u.describe();
    c->send_raw_binary(proto::encode_data(u->sock, "stream bytes on udp"));
    EXPECT_EQ(c->wait_error()->error.code, "EPROTO");
}

TEST_F(BadInput, OversizedMessageClosesWith1009) {
    start_gateway({"--max-frame", "70000"});
    auto c = client();
    c->send_raw_text(std::string(100000, ' '));
    auto closed = c->wait_session_closed();
    ASSERT_TRUE(closed) << closed.describe();
    EXPECT_EQ(closed->code, 1009);
}

TEST_F(BadInput, BadSessionDoesNotHarmAnotherSession) {
    TcpEchoServer echo;
    auto good = client();
    auto s = good->connect("127.0.0.1", echo.port());
    ASSERT_TRUE(s) << s.describe();

    auto bad = client();
    bad->send_raw_text("\xff\xfe garbage");
    bad->send_raw_binary(std::string("\x02\x00\x00\x00\x01\x09", 6));
    bad->send_raw_text(std::string(2 << 20, 'x'));  // over the default max_frame
    bad->wait_session_closed();

    ASSERT_TRUE(good->send(s->sock, "still fine"));
    auto back = good->read_exactly(s->sock, 10);
    ASSERT_TRUE(back) << back.describe();
    EXPECT_EQ(*back, "still fine");
}
