// The native transport against small in-process WebSocket servers: opening,
// handshake headers, failures and close codes.
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "support/blocking_client.hpp"
#include "test_server.hpp"
#include "wasm/native/native_transport.hpp"

namespace sockgate::client {
namespace {

using namespace std::chrono_literals;
using testing::TestServer;

// A loopback port with nothing listening on it.
uint16_t closed_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

// Records what a transport reports.
struct Recorder : TransportHandler {
    bool opened = false;
    std::vector<std::string> texts, binaries;
    std::optional<std::pair<uint16_t, std::string>> closed;
    void on_open() override { opened = true; }
    void on_text(std::string_view t) override { texts.emplace_back(t); }
    void on_binary(std::string_view b) override { binaries.emplace_back(b); }
    void on_close(uint16_t code, std::string_view reason) override { closed.emplace(code, std::string(reason)); }
};

// Runs `io` until `done` or 5 s.
bool run_until(asio::io_context& io, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        if (io.stopped()) io.restart();
        io.run_one_for(50ms);
    }
    return done();
}

TEST(NativeTransport, ClosedPortFailsFastWithEconnrefused) {
    asio::io_context io;
    NativeTransport t(io);
    Recorder r;
    t.set_handler(&r);
    const auto start = std::chrono::steady_clock::now();
    t.open("ws://127.0.0.1:" + std::to_string(closed_port()) + "/ws");
    ASSERT_TRUE(run_until(io, [&] { return r.closed.has_value(); }));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_FALSE(r.opened);
    EXPECT_EQ(r.closed->first, close_code::abnormal);
    EXPECT_EQ(t.status().error_code, "ECONNREFUSED");
    EXPECT_EQ(t.status().http_status, 0);
    EXPECT_EQ(t.status().state, TransportState::closed);
}

TEST(NativeTransport, BadUrlIsReportedAsEinval) {
    asio::io_context io;
    NativeTransport t(io);
    Recorder r;
    t.set_handler(&r);
    t.open("not a url");
    EXPECT_FALSE(r.closed) << "reported from the io_context, not from open()";
    ASSERT_TRUE(run_until(io, [&] { return r.closed.has_value(); }));
    EXPECT_EQ(t.status().error_code, "EINVAL");
}

TEST(NativeTransport, SendsOriginAndSubprotocolAndExchangesMessages) {
    TestServer server;
    server.on_message = [&](TestServer::ConnId c, bool is_text, const std::string& p) {
        if (is_text)
            server.send_text(c, "echo:" + p);
        else
            server.send_binary(c, p);
    };
    asio::io_context io;
    NativeTransport t(io);
    Recorder r;
    t.set_handler(&r);
    TransportOptions opts;
    opts.origin = "http://127.0.0.1:8080";
    opts.headers.emplace_back("X-Test", "1");
    t.open(server.url(), opts);
    ASSERT_TRUE(run_until(io, [&] { return r.opened; }));
    EXPECT_EQ(t.status().http_status, 101);
    EXPECT_EQ(t.status().subprotocol, "sockgate.v1");
    const auto hs = server.last_handshake();
    EXPECT_EQ(hs.origin, "http://127.0.0.1:8080");
    EXPECT_EQ(hs.subprotocols, std::vector<std::string>{"sockgate.v1"});
    EXPECT_EQ(hs.resource, "/ws");

    t.send_text("hi");
    t.send_binary(std::string("\x01\0\0\0\x01z", 6));
    ASSERT_TRUE(run_until(io, [&] { return r.texts.size() == 1 && r.binaries.size() == 1; }));
    EXPECT_EQ(r.texts[0], "echo:hi");
    EXPECT_EQ(r.binaries[0].size(), 6u);

    t.close(close_code::normal, "done");
    ASSERT_TRUE(run_until(io, [&] { return r.closed.has_value(); }));
    EXPECT_EQ(r.closed->first, close_code::normal);
    EXPECT_TRUE(t.status().error_code.empty());
}

TEST(NativeTransport, RefusedUpgradeReportsHttpStatus) {
    TestServer server(TestServer::Options{true, 403, false});
    asio::io_context io;
    NativeTransport t(io);
    Recorder r;
    t.set_handler(&r);
    TransportOptions opts;
    opts.origin = "http://evil.example";
    t.open(server.url(), opts);
    ASSERT_TRUE(run_until(io, [&] { return r.closed.has_value(); }));
    EXPECT_FALSE(r.opened);
    EXPECT_EQ(t.status().http_status, 403);
    EXPECT_EQ(t.status().error_code, "HTTP_403");
    EXPECT_EQ(r.closed->first, close_code::abnormal);
}

TEST(NativeTransport, MissingSubprotocolFailsWithEproto) {
    TestServer server(TestServer::Options{false, 0, false});
    asio::io_context io;
    NativeTransport t(io);
    Recorder r;
    t.set_handler(&r);
    t.open(server.url());
    ASSERT_TRUE(run_until(io, [&] { return r.closed.has_value(); }));
    EXPECT_FALSE(r.opened);
    EXPECT_EQ(t.status().error_code, "EPROTO");
    EXPECT_EQ(r.closed->first, close_code::protocol_error);
}

TEST(NativeTransport, SubprotocolCheckCanBeTurnedOff) {
    TestServer server(TestServer::Options{false, 0, false});
    asio::io_context io;
    NativeTransport t(io);
    Recorder r;
    t.set_handler(&r);
    TransportOptions opts;
    opts.subprotocols.clear();
    t.open(server.url(), opts);
    ASSERT_TRUE(run_until(io, [&] { return r.opened; }));
    EXPECT_TRUE(server.last_handshake().subprotocols.empty());
}

TEST(NativeTransport, SilentServerTimesOut) {
    TestServer server(TestServer::Options{true, 0, true});
    asio::io_context io;
    NativeTransport t(io);
    Recorder r;
    t.set_handler(&r);
    TransportOptions opts;
    opts.open_timeout = 300ms;
    t.open(server.url(), opts);
    ASSERT_TRUE(run_until(io, [&] { return r.closed.has_value(); }));
    EXPECT_EQ(t.status().error_code, "ETIMEDOUT");
}

TEST(NativeTransport, ServerCloseCodeIsReported) {
    TestServer server;
    server.on_message = [&](TestServer::ConnId c, bool, const std::string&) {
        server.close(c, close_code::policy_violation, "go away");
    };
    asio::io_context io;
    NativeTransport t(io);
    Recorder r;
    t.set_handler(&r);
    t.open(server.url());
    ASSERT_TRUE(run_until(io, [&] { return r.opened; }));
    t.send_text("anything");
    ASSERT_TRUE(run_until(io, [&] { return r.closed.has_value(); }));
    EXPECT_EQ(r.closed->first, close_code::policy_violation);
    EXPECT_EQ(r.closed->second, "go away");
}

TEST(NativeTransport, OversizeMessageClosesWith1009) {
    TestServer server;
    server.on_message = [&](TestServer::ConnId c, bool, const std::string&) {
        server.send_binary(c, std::string(4096, 'x'));
    };
    asio::io_context io;
    NativeTransport t(io);
    Recorder r;
    t.set_handler(&r);
    TransportOptions opts;
    opts.max_message_size = 1024;
    t.open(server.url(), opts);
    ASSERT_TRUE(run_until(io, [&] { return r.opened; }));
    t.send_text("send me something big");
    ASSERT_TRUE(run_until(io, [&] { return r.closed.has_value(); }));
    EXPECT_EQ(r.closed->first, close_code::message_too_big);
    EXPECT_TRUE(r.binaries.empty());
}

TEST(NativeTransport, CloseWhileConnectingIsReportedOnce) {
    TestServer server(TestServer::Options{true, 0, true});
    asio::io_context io;
    NativeTransport t(io);
    Recorder r;
    t.set_handler(&r);
    t.open(server.url());
    io.run_for(50ms);
    t.close(close_code::normal, {});
    ASSERT_TRUE(run_until(io, [&] { return r.closed.has_value(); }));
    EXPECT_EQ(t.status().error_code, "ECANCELED");
}

TEST(NativeTransport, DestroyingAnOpenTransportIsSafe) {
    TestServer server;
    asio::io_context io;
    {
        auto t = std::make_unique<NativeTransport>(io);
        Recorder r;
        t->set_handler(&r);
        t->open(server.url());
        ASSERT_TRUE(run_until(io, [&] { return r.opened; }));
        t->send_text("bye");
    }
    io.run_for(200ms);  // websocketpp winds down without the transport
}

TEST(BlockingClientOpen, ClosedPortGivesAnErrorNotAHang) {
    BlockingClient c;
    const auto start = std::chrono::steady_clock::now();
    auto r = c.open("ws://127.0.0.1:" + std::to_string(closed_port()) + "/ws", {}, 3s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.code(), "ECONNREFUSED");
    EXPECT_FALSE(c.session_open());
    EXPECT_EQ(c.connect("127.0.0.1", 7).code(), "ENOTCONN");
}

TEST(BlockingClientOpen, RefusedOriginGivesHttpStatus) {
    TestServer server(TestServer::Options{true, 403, false});
    BlockingClient c;
    TransportOptions opts;
    opts.origin = "http://evil.example";
    auto r = c.open(server.url(), opts);
    EXPECT_EQ(r.code(), "HTTP_403");
    EXPECT_EQ(c.transport_status().http_status, 403);
    EXPECT_EQ(server.last_handshake().origin, "http://evil.example");
}

TEST(BlockingClientOpen, OpenTimeout) {
    TestServer server(TestServer::Options{true, 0, true});
    BlockingClient c;
    auto r = c.open(server.url(), {}, 200ms);
    EXPECT_EQ(r.code(), "ETIMEDOUT");
}

}  // namespace
}  // namespace sockgate::client
