// Regression tests for input that once got the wrong answer: numbers beyond a
// double, and client text echoed without bound into replies and errors.
#include "protocol/messages.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sockgate::proto {
namespace {

using nlohmann::json;

// The ProtocolError `f` throws; fails the test when it throws nothing.
template <class F>
ProtocolError protocol_error_of(F f) {
    try {
        f();
    } catch (const ProtocolError& e) {
        return e;
    }
    ADD_FAILURE() << "no ProtocolError";
    return ProtocolError("", "");
}

// ---- numbers that overflow a double (defect: 1011 close instead of EBADMSG) ----

TEST(ProtocolHardening, NumberOverflowingADoubleIsEbadmsg) {
    for (const char* text :
         {R"({"op":"connect","id":1,"x":1e400})", R"({"op":"connect","id":1,"port":-1e400})",
          R"({"op":"hello","id":1,"version":1,"deep":[{"a":[1E+999]}]})", "1e400", R"({"id":1e400,"op":"close"})"}) {
        const ProtocolError e = protocol_error_of([&] { parse_envelope(text); });
        EXPECT_EQ(e.code(), "EBADMSG") << text << ": " << e.what();
        EXPECT_NE(std::string(e.what()).find("malformed JSON"), std::string::npos) << e.what();
    }
}

TEST(ProtocolHardening, LargeButFiniteNumbersStillParse) {
    EXPECT_EQ(parse_envelope(R"({"op":"x","id":1,"f":1e308})").op, "x");
    EXPECT_EQ(parse_envelope(R"({"op":"x","id":1,"f":1e-400})").op, "x");  // underflows to 0, not an error
}

// ---- op names ----

TEST(ProtocolHardening, OpNamesAreShortLowercaseWords) {
    EXPECT_EQ(parse_envelope(R"({"op":"connect","id":1})").op, "connect");
    EXPECT_EQ(parse_envelope(R"({"op":"a_b","id":1})").op, "a_b");
    const std::string longest(kMaxOpLength, 'a');
    EXPECT_EQ(parse_envelope(json{{"op", longest}, {"id", 1}}.dump()).op, longest);
    for (const std::string& op :
         {std::string(kMaxOpLength + 1, 'a'), std::string(), std::string("Connect"), std::string("con nect"),
          std::string("x-y"), std::string("x1"), std::string("\xc3\xa9t\xc3\xa9"), std::string("a\nb")}) {
        const ProtocolError e = protocol_error_of([&] { parse_envelope(json{{"op", op}, {"id", 1}}.dump()); });
        EXPECT_EQ(e.code(), "EINVAL") << op;
        EXPECT_NE(std::string(e.what()).find("'op'"), std::string::npos) << e.what();
    }
}

TEST(ProtocolHardening, BadOpErrorCarriesTheRequestId) {
    const ProtocolError e = protocol_error_of([] { parse_envelope(R"({"op":"Bad Op","id":77})"); });
    EXPECT_EQ(e.code(), "EINVAL");
    EXPECT_EQ(e.id(), 77);
    EXPECT_FALSE(protocol_error_of([] { parse_envelope(R"({"op":"Bad Op"})"); }).id());
}

TEST(ProtocolHardening, HugeUnknownOpIsNotEchoed) {
    // 1 MiB op: the error must say what is wrong in a few bytes, not 1 MiB.
    const std::string op(1 << 20, 'a');
    const std::string text = json{{"op", op}, {"id", 5}}.dump();
    const ProtocolError e = protocol_error_of([&] { parse_envelope(text); });
    EXPECT_EQ(e.code(), "EINVAL");
    EXPECT_LT(std::string(e.what()).size(), 200u) << std::string(e.what()).substr(0, 300);
    EXPECT_NE(std::string(e.what()).find("aaaa"), std::string::npos) << "a short prefix helps the reader";
    // What a gateway would send back for it.
    const std::string event = make_event(op::error, ErrorEvent{e.info(), e.id(), std::nullopt});
    EXPECT_LT(event.size(), 300u);
}

TEST(ProtocolHardening, RepliesNeverEchoALongOp) {
    const std::string op(1 << 20, 'z');
    const std::string reply = make_reply(op, 1, json::object());
    const std::string error_reply = make_error_reply(op, 1, ErrorInfo{"ENOTSUP", "unknown op"});
    EXPECT_LT(reply.size(), 200u);
    EXPECT_LT(error_reply.size(), 200u);
    EXPECT_LE(json::parse(reply).at("op").get<std::string>().size(), kMaxOpLength + 3);
    // Valid ops are echoed exactly: clients match replies by op and id.
    EXPECT_EQ(json::parse(make_reply("connect", 1, json::object())).at("op"), "connect");
    EXPECT_EQ(json::parse(make_error_reply("resolve", 2, ErrorInfo{"EINVAL", "x"})).at("op"), "resolve");
}

TEST(ProtocolHardening, ReadMessageDoesNotEchoALongOpOrField) {
    // read_message prefixes errors with the op; with a validated op that is short,
    // and an op set by hand is capped too.
    Envelope env;
    env.op = std::string(100000, 'q');
    env.body = json{{"sock", "x"}};
    const ProtocolError e = protocol_error_of([&] { read_message<SockRequest>(env); });
    EXPECT_EQ(e.code(), "EINVAL");
    EXPECT_LT(std::string(e.what()).size(), 300u) << std::string(e.what()).substr(0, 300);
}

TEST(ProtocolHardening, OverlongHostIsEinval) {
    // Errors about a host (no addresses for ..., connect to ... failed) quote
    // it, so a host beyond any DNS name is refused up front.
    const std::string longest(kMaxHostLength, 'h');
    const std::string too_long(kMaxHostLength + 1, 'h');
    for (const char* op : {"connect", "resolve", "listen", "bind"}) {
        json fields = {{"proto", std::string(op) == "bind" ? "udp" : "tcp"}, {"port", 1}};
        fields["host"] = longest;
        const Envelope ok = parse_envelope(make_request(op, 1, fields));
        fields["host"] = too_long;
        const Envelope bad = parse_envelope(make_request(op, 1, fields));
        const auto read = [](const Envelope& env) {
            if (env.op == "connect") (void)read_message<ConnectRequest>(env);
            if (env.op == "resolve") (void)read_message<ResolveRequest>(env);
            if (env.op == "listen") (void)read_message<ListenRequest>(env);
            if (env.op == "bind") (void)read_message<BindRequest>(env);
        };
        EXPECT_NO_THROW(read(ok)) << op;
        const ProtocolError e = protocol_error_of([&] { read(bad); });
        EXPECT_EQ(e.code(), "EINVAL") << op;
        EXPECT_NE(std::string(e.what()).find("'host'"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find(too_long), std::string::npos) << "not echoed";
    }
}

TEST(ProtocolHardening, MalformedJsonErrorQuotesOnlyAPrefix) {
    // nlohmann quotes the token it stopped at: here a 1 MiB string cut by a control character.
    const std::string text = "{\"op\":\"" + std::string(1 << 20, 'm') + "\x01\"}";
    const ProtocolError e = protocol_error_of([&] { parse_envelope(text); });
    EXPECT_EQ(e.code(), "EBADMSG");
    EXPECT_LT(std::string(e.what()).size(), 200u) << std::string(e.what()).substr(0, 300);
    // And a huge number that overflows.
    const ProtocolError n = protocol_error_of([&] { parse_envelope("{\"x\":1" + std::string(1 << 20, '0') + "}"); });
    EXPECT_EQ(n.code(), "EBADMSG");
    EXPECT_LT(std::string(n.what()).size(), 200u);
}

TEST(ProtocolHardening, EchoTextCapsAtAUtf8Boundary) {
    EXPECT_EQ(echo_text("short"), "short");
    const std::string cut = echo_text(std::string(100, 'a') + "\xc3\xa9", 101);  // 'é' would straddle the cap
    EXPECT_EQ(cut, std::string(100, 'a') + "...");
    EXPECT_EQ(echo_text(std::string(10, 'b'), 4), "bbbb...");
    EXPECT_EQ(echo_text("\xc3\xa9t\xc3\xa9"), "\xc3\xa9t\xc3\xa9");  // whole UTF-8 is kept
    EXPECT_EQ(echo_text("a\nb\x01"
                        "c\xff"),
              "a?b?c?");                     // controls and bad bytes become '?'
    EXPECT_EQ(echo_text("\xe2\x82"), "??");  // a truncated sequence
    EXPECT_LE(echo_text(std::string(1 << 20, 'x')).size(), kMaxEcho + 3);
}

}  // namespace
}  // namespace sockgate::proto
