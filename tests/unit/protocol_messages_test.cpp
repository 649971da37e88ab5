#include "protocol/messages.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <limits>

namespace sockgate::proto {
namespace {

using nlohmann::json;

// Encodes `value`, decodes it as T, and checks nothing was lost. Values under
// test use non-default fields so a field that is dropped shows up.
template <class T>
void expect_json_round_trip(const T& value) {
    const json encoded = value;
    const T decoded = encoded.get<T>();
    EXPECT_EQ(json(decoded), encoded);
}

// The same, through the text a WebSocket frame carries and read_message.
template <class T>
void expect_wire_round_trip(const char* op, const T& value) {
    const Envelope env = parse_envelope(make_request(op, 17, value));
    EXPECT_EQ(env.op, op);
    EXPECT_EQ(env.id, 17);
    const T decoded = read_message<T>(env);
    EXPECT_EQ(json(decoded), json(value));
}

// Asserts `f` throws ProtocolError with `code` and a message containing `needle`.
template <class F>
void expect_protocol_error(F f, const std::string& code, const std::string& needle) {
    try {
        f();
        ADD_FAILURE() << "no ProtocolError; expected " << code;
    } catch (const ProtocolError& e) {
        EXPECT_EQ(e.code(), code) << e.what();
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
            << "message lacks '" << needle << "': " << e.what();
    }
}

// ---- requests ----

TEST(MessageRoundTrip, HelloRequest) {
    expect_json_round_trip(HelloRequest{3, std::string("tok")});
    expect_json_round_trip(HelloRequest{1, std::nullopt});
    expect_wire_round_trip(op::hello, HelloRequest{1, std::string("tok")});
    EXPECT_EQ(json(HelloRequest{1, std::string("t")}), (json{{"version", 1}, {"token", "t"}}));
}

TEST(MessageRoundTrip, ConnectRequest) {
    expect_json_round_trip(ConnectRequest{"udp", "example.test", 5353, 2500u});
    expect_json_round_trip(ConnectRequest{"tcp", "127.0.0.1", 80, std::nullopt});
    expect_wire_round_trip(op::connect, ConnectRequest{"tcp", "::1", 443, 100u});
    EXPECT_EQ(json(ConnectRequest{"tcp", "h", 1, 9u}),
              (json{{"proto", "tcp"}, {"host", "h"}, {"port", 1}, {"timeout_ms", 9}}));
}

TEST(MessageRoundTrip, ListenRequest) {
    expect_json_round_trip(ListenRequest{"tcp", std::string("127.0.0.1"), 8000, 16u});
    expect_json_round_trip(ListenRequest{"tcp", std::nullopt, 0, std::nullopt});
    expect_wire_round_trip(op::listen, ListenRequest{"tcp", std::string("::1"), 9000, 4u});
}

TEST(MessageRoundTrip, BindRequest) {
    expect_json_round_trip(BindRequest{"udp", std::string("127.0.0.1"), 5000});
    expect_json_round_trip(BindRequest{"udp", std::nullopt, 0});
    expect_wire_round_trip(op::bind, BindRequest{"udp", std::string("0.0.0.0"), 6000});
}

TEST(MessageRoundTrip, BindRequestPortIsOptional) {
    const json j = {{"proto", "udp"}};
    EXPECT_EQ(j.get<BindRequest>().port, 0);
}

TEST(MessageRoundTrip, SockAndResolveRequests) {
    expect_json_round_trip(SockRequest{0xFFFFFFFF});
    expect_wire_round_trip(op::close, SockRequest{12});
    expect_wire_round_trip(op::shutdown, SockRequest{13});
    expect_json_round_trip(ResolveRequest{"localhost"});
    expect_wire_round_trip(op::resolve, ResolveRequest{"example.test"});
}

// ---- replies ----

TEST(MessageRoundTrip, HelloReply) {
    const HelloReply reply{1, "sockgate 0.1.0", "s-1", 262144, 4194304, 1048576, Limits{64, 8}};
    expect_json_round_trip(reply);
    const json j = reply;
    EXPECT_EQ(j.at("limits"), (json{{"sockets", 64}, {"listeners", 8}}));
    EXPECT_EQ(j.at("max_frame"), 1048576);
    EXPECT_EQ(j.at("max_window"), 4194304);
}

TEST(MessageRoundTrip, HelloReplyWithoutMaxWindowNeverGrows) {
    json j = HelloReply{1, "s", "id", 1000, 1000, 70000, Limits{1, 1}};
    j.erase("max_window");
    EXPECT_EQ(j.get<HelloReply>().max_window, 1000u);
}

TEST(MessageRoundTrip, HelloReplyWithMaxWindowBelowWindowIsInvalid) {
    const json j = HelloReply{1, "s", "id", 1000, 999, 70000, Limits{1, 1}};
    expect_protocol_error([&] { (void)j.get<HelloReply>(); }, "EINVAL", "max_window");
}

TEST(MessageRoundTrip, SocketReplyWithAndWithoutRemote) {
    expect_json_round_trip(SocketReply{4, Endpoint{"127.0.0.1", 40000}, Endpoint{"127.0.0.1", 80}});
    expect_json_round_trip(SocketReply{5, Endpoint{"::1", 5000}, std::nullopt});
    EXPECT_FALSE(json(SocketReply{5, Endpoint{"::1", 5000}, std::nullopt}).contains("remote"));
}

TEST(MessageRoundTrip, ResolveReply) {
    expect_json_round_trip(ResolveReply{{"127.0.0.1", "::1"}});
    expect_json_round_trip(ResolveReply{{}});
}

TEST(MessageRoundTrip, Endpoint) {
    expect_json_round_trip(Endpoint{"10.0.0.1", 65535});
    EXPECT_EQ(json(Endpoint{"a", 1}), (json{{"addr", "a"}, {"port", 1}}));
}

// ---- events ----

TEST(MessageRoundTrip, AcceptEvent) {
    expect_json_round_trip(AcceptEvent{2, 3, Endpoint{"127.0.0.1", 8000}, Endpoint{"127.0.0.1", 51000}});
}

TEST(MessageRoundTrip, EofEvent) { expect_json_round_trip(EofEvent{77}); }

TEST(MessageRoundTrip, ClosedEventWithAndWithoutError) {
    ClosedEvent with_error;
    with_error.sock = 6;
    with_error.error = ErrorInfo{"ECONNRESET", "peer reset"};
    expect_json_round_trip(with_error);
    ClosedEvent clean;
    clean.sock = 7;
    expect_json_round_trip(clean);
    EXPECT_FALSE(json(clean).contains("error"));
}

TEST(MessageRoundTrip, ErrorEvent) {
    ErrorEvent full;
    full.error = ErrorInfo{"EINVAL", "bad"};
    full.id = -5;
    full.sock = 9;
    expect_json_round_trip(full);
    ErrorEvent bare;
    bare.error = ErrorInfo{"EBADMSG", "not json"};
    expect_json_round_trip(bare);
    EXPECT_EQ(json(bare), (json{{"error", {{"code", "EBADMSG"}, {"message", "not json"}}}}));
}

TEST(MessageRoundTrip, ErrorInfoMessageIsOptional) {
    const json j = {{"code", "EIO"}};
    const auto e = j.get<ErrorInfo>();
    EXPECT_EQ(e.code, "EIO");
    EXPECT_EQ(e.message, "");
}

TEST(MessageDecode, AbsentOptionalFieldsResetEarlierValues) {
    HelloRequest h{1, std::string("old")};
    json{{"version", 1}}.get_to(h);
    EXPECT_FALSE(h.token);
    ConnectRequest c{"tcp", "h", 1, 5u};
    json{{"proto", "tcp"}, {"host", "h"}, {"port", 1}}.get_to(c);
    EXPECT_FALSE(c.timeout_ms);
}

// ---- parse_envelope ----

TEST(ParseEnvelope, ReadsOpIdAndBody) {
    const Envelope env = parse_envelope(R"({"op":"connect","id":42,"host":"h"})");
    EXPECT_EQ(env.op, "connect");
    EXPECT_EQ(env.id, 42);
    EXPECT_EQ(env.body.at("host"), "h");
}

TEST(ParseEnvelope, IdIsOptionalAndMayBeNegative) {
    EXPECT_FALSE(parse_envelope(R"({"op":"eof","sock":1})").id);
    EXPECT_EQ(parse_envelope(R"({"op":"x","id":-3})").id, -3);
}

TEST(ParseEnvelope, NonJsonOrNonObjectIsEbadmsg) {
    for (const char* text : {"", "not json", "{\"op\":", "[1,2]", "\"op\"", "42", "null"})
        expect_protocol_error([&] { parse_envelope(text); }, "EBADMSG", "");
}

TEST(ParseEnvelope, InvalidUtf8IsEbadmsg) {
    expect_protocol_error([] { parse_envelope("{\"op\":\"\xff\"}"); }, "EBADMSG", "malformed JSON");
}

TEST(ParseEnvelope, MissingOrNonStringOpIsEinval) {
    expect_protocol_error([] { parse_envelope("{}"); }, "EINVAL", "'op'");
    expect_protocol_error([] { parse_envelope(R"({"op":5})"); }, "EINVAL", "'op'");
    expect_protocol_error([] { parse_envelope(R"({"op":null})"); }, "EINVAL", "'op'");
}

TEST(ParseEnvelope, NonIntegerIdIsEinval) {
    for (const char* text :
         {R"({"op":"x","id":"1"})", R"({"op":"x","id":1.5})", R"({"op":"x","id":true})", R"({"op":"x","id":null})"})
        expect_protocol_error([&] { parse_envelope(text); }, "EINVAL", "'id'");
}

TEST(ParseEnvelope, IdBeyondSigned64BitsIsEinvalNotWrapped) {
    EXPECT_EQ(parse_envelope(R"({"op":"x","id":9223372036854775807})").id, std::numeric_limits<int64_t>::max());
    for (const char* text : {R"({"op":"x","id":9223372036854775808})", R"({"op":"x","id":18446744073709551615})"})
        expect_protocol_error([&] { parse_envelope(text); }, "EINVAL", "'id'");
}

// ---- read_message ----

TEST(ReadMessage, MissingFieldNamesOpAndField) {
    const Envelope env = parse_envelope(R"({"op":"connect","id":1,"proto":"tcp","port":80})");
    expect_protocol_error([&] { read_message<ConnectRequest>(env); }, "EINVAL", "connect: missing field 'host'");
}

TEST(ReadMessage, IllTypedFieldNamesOpAndField) {
    const Envelope env = parse_envelope(R"({"op":"connect","id":1,"proto":"tcp","host":7,"port":80})");
    expect_protocol_error([&] { read_message<ConnectRequest>(env); }, "EINVAL", "connect: field 'host'");
}

TEST(ReadMessage, NestedJsonErrorsBecomeEinval) {
    const Envelope env = parse_envelope(R"({"op":"hello","id":1,"version":1,"server":"s","session":"x",
                                            "window":1,"max_frame":1})");
    expect_protocol_error([&] { read_message<HelloReply>(env); }, "EINVAL", "hello: ");
}

TEST(ReadMessage, OutOfRangePortIsEinval) {
    const Envelope env = parse_envelope(R"({"op":"connect","id":1,"proto":"tcp","host":"h","port":70000})");
    expect_protocol_error([&] { read_message<ConnectRequest>(env); }, "EINVAL", "'port' must be between 0 and 65535");
}

// ---- field readers ----

TEST(ReadPort, AcceptsWholeRange) {
    EXPECT_EQ(read_port(json{{"p", 0}}, "p"), 0);
    EXPECT_EQ(read_port(json{{"p", 65535}}, "p"), 65535);
}

TEST(ReadPort, RejectsOutOfRangeAndWrongTypes) {
    for (const json& bad :
         {json(65536), json(-1), json(1e10), json(80.0), json("80"), json(true), json(nullptr), json::array({80})})
        expect_protocol_error([&] { read_port(json{{"p", bad}}, "p"); }, "EINVAL", "'p'");
    expect_protocol_error([] { read_port(json::object(), "port"); }, "EINVAL", "missing field 'port'");
}

TEST(ReadU32, AcceptsWholeRange) {
    EXPECT_EQ(read_u32(json{{"n", 0}}, "n"), 0u);
    EXPECT_EQ(read_u32(json{{"n", 4294967295u}}, "n"), 4294967295u);
}

TEST(ReadU32, RejectsOutOfRangeAndWrongTypes) {
    for (const json& bad :
         {json(4294967296ull), json(-1), json(std::numeric_limits<int64_t>::min()), json(1.0), json("1"), json(false)})
        expect_protocol_error([&] { read_u32(json{{"n", bad}}, "n"); }, "EINVAL", "'n'");
}

TEST(ReadString, RejectsNonStrings) {
    EXPECT_EQ(read_string(json{{"s", "v"}}, "s"), "v");
    expect_protocol_error([] { read_string(json{{"s", 1}}, "s"); }, "EINVAL", "field 's' must be a string");
    expect_protocol_error([] { read_string(json::object(), "s"); }, "EINVAL", "missing field 's'");
}

// ---- reply and event shapes ----

TEST(MakeReply, AddsOpIdAndOkBesideResultFields) {
    const json j = json::parse(make_reply("connect", 9, json{{"sock", 4}}));
    EXPECT_EQ(j, (json{{"op", "connect"}, {"id", 9}, {"ok", true}, {"sock", 4}}));
}

TEST(MakeReply, ResultCannotOverrideOpIdOrOk) {
    const json j = json::parse(make_reply("close", 2, json{{"op", "x"}, {"id", 5}, {"ok", false}}));
    EXPECT_EQ(j, (json{{"op", "close"}, {"id", 2}, {"ok", true}}));
}

TEST(MakeReply, NonObjectResultGivesBareReply) {
    EXPECT_EQ(json::parse(make_reply("close", 1, json(nullptr))), (json{{"op", "close"}, {"id", 1}, {"ok", true}}));
    EXPECT_EQ(json::parse(make_reply("close", 1, json::array({1}))), (json{{"op", "close"}, {"id", 1}, {"ok", true}}));
}

TEST(MakeErrorReply, HasOkFalseAndErrorObject) {
    const json j = json::parse(make_error_reply("connect", 3, ErrorInfo{"EACCES", "denied"}));
    EXPECT_EQ(
        j, (json{{"op", "connect"}, {"id", 3}, {"ok", false}, {"error", {{"code", "EACCES"}, {"message", "denied"}}}}));
}

TEST(MakeEvent, HasOpAndBodyButNoIdOrOk) {
    const json j = json::parse(make_event(op::eof, json(EofEvent{5})));
    EXPECT_EQ(j, (json{{"op", "eof"}, {"sock", 5}}));
}

TEST(MakeRequest, HasOpIdAndFields) {
    const json j = json::parse(make_request(op::close, 8, json(SockRequest{2})));
    EXPECT_EQ(j, (json{{"op", "close"}, {"id", 8}, {"sock", 2}}));
}

TEST(Dump, InvalidUtf8IsReplacedInsteadOfThrowing) {
    std::string reply;
    ASSERT_NO_THROW(reply = make_error_reply("resolve", 1, ErrorInfo{"EAI_NONAME", "no host \xff\xfe"}));
    const json j = json::parse(reply);  // the output itself is valid UTF-8
    EXPECT_EQ(j.at("error").at("message"), "no host \xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_NO_THROW(make_event("e", json{{"bad\xc3", "\x80\x80"}}));
    EXPECT_NO_THROW(make_reply("e", 1, json{{"x", "\xed\xa0\x80"}}));  // UTF-16 surrogate
    EXPECT_NO_THROW(make_request("e", 1, json{{"x", "\xc0\xaf"}}));    // overlong '/'
}

// ---- errno names ----

TEST(ErrnoNames, KnownValuesHaveTheirNames) {
    EXPECT_STREQ(errno_name(ECONNREFUSED), "ECONNREFUSED");
    EXPECT_STREQ(errno_name(EACCES), "EACCES");
    EXPECT_STREQ(errno_name(ETIMEDOUT), "ETIMEDOUT");
    EXPECT_EQ(errno_from_name("ECONNRESET"), ECONNRESET);
    EXPECT_EQ(errno_from_name("EADDRINUSE"), EADDRINUSE);
}

TEST(ErrnoNames, UnknownValueIsEioAndUnknownNameIsZero) {
    EXPECT_STREQ(errno_name(0), "EIO");
    EXPECT_STREQ(errno_name(-1), "EIO");
    EXPECT_STREQ(errno_name(999999), "EIO");
    EXPECT_EQ(errno_from_name("ENOTANERROR"), 0);
    EXPECT_EQ(errno_from_name(""), 0);
    EXPECT_EQ(errno_from_name("econnrefused"), 0);  // names are exact
    EXPECT_EQ(errno_from_name(kEaiNoname), 0);      // not an errno value
}

TEST(ErrnoNames, EveryNameMapsBackToItsValue) {
    // Some names share a value on Linux (ENOTSUP and EOPNOTSUPP), so the
    // property is value -> name -> value, not name -> value -> name.
    for (const char* name : {"EACCES",     "EPERM",        "EADDRINUSE", "EADDRNOTAVAIL",   "ECONNREFUSED",
                             "ECONNRESET", "ECONNABORTED", "ETIMEDOUT",  "EHOSTUNREACH",    "ENETUNREACH",
                             "ENETDOWN",   "EMFILE",       "ENFILE",     "EBADF",           "EINVAL",
                             "EPROTO",     "EMSGSIZE",     "ENOTSUP",    "EPROTONOSUPPORT", "EBADMSG",
                             "EPIPE",      "ENOTCONN",     "EISCONN",    "EAGAIN",          "EINPROGRESS",
                             "EALREADY",   "EAFNOSUPPORT", "ENOBUFS",    "ENOMEM",          "ECANCELED",
                             "EIO",        "EOPNOTSUPP"}) {
        const int value = errno_from_name(name);
        EXPECT_NE(value, 0) << name;
        EXPECT_EQ(errno_from_name(errno_name(value)), value) << name;
    }
}

TEST(ProtocolErrorInfo, CarriesCodeAndMessage) {
    const ProtocolError e("EMSGSIZE", "too big");
    EXPECT_EQ(e.info().code, "EMSGSIZE");
    EXPECT_EQ(e.info().message, "too big");
    EXPECT_EQ(json(e.info()), (json{{"code", "EMSGSIZE"}, {"message", "too big"}}));
}

}  // namespace
}  // namespace sockgate::proto
