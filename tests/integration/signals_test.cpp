// What the gateway does on each signal an operator or a supervisor sends.
#include "gateway_fixture.hpp"

#include <signal.h>
#include <unistd.h>

#include <fstream>

using namespace sockgate::testing;

namespace {

// A config file the test can rewrite; removed at the end.
class ConfigFile {
public:
    ConfigFile() : path_("/tmp/sockgate-signals-" + std::to_string(getpid()) + ".json") {}
    ~ConfigFile() { std::remove(path_.c_str()); }
    void write(const std::string& json) { std::ofstream(path_) << json; }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace

TEST(Signals, HangupReloadsThePolicyAndKeepsSessions) {
    ConfigFile config;
    config.write(R"({"allow": ["tcp:127.0.0.0/8:*"]})");
    GatewayProcess gw({"--config", config.path()}, with_log_output());
    uint16_t port = 0;
    Fd listener = tcp_listen("127.0.0.1", port);
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.ws_url()));
    auto s = c.connect("127.0.0.1", port);
    ASSERT_TRUE(s) << s.describe();
    Fd peer = tcp_accept(listener);
    ASSERT_TRUE(peer);

    config.write(R"({"allow": ["tcp:127.0.0.1/32:1-1023"]})");
    gw.signal(SIGHUP);
    const std::string log = gw.read_output("reloaded policy", std::chrono::seconds(5));
    ASSERT_NE(log.find("reloaded policy"), std::string::npos) << log;
    ASSERT_TRUE(gw.alive());

    // New connections follow the new rules; the open stream goes on.
    auto denied = c.connect("127.0.0.1", port);
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, "EACCES");
    ASSERT_TRUE(c.send(s->sock, "after reload"));
    EXPECT_EQ(read_exactly(peer, 12), "after reload");
}

TEST(Signals, HangupWithABrokenConfigKeepsTheRunningOne) {
    ConfigFile config;
    config.write(R"({"allow": ["tcp:127.0.0.0/8:*"]})");
    GatewayProcess gw({"--config", config.path()}, with_log_output());
    config.write(R"({"allow": ["tcp:not-a-cidr:*"]})");
    gw.signal(SIGHUP);
    const std::string log = gw.read_output("keeping the running configuration", std::chrono::seconds(5));
    EXPECT_NE(log.find("keeping the running configuration"), std::string::npos) << log;
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.ws_url()));
    auto s = c.connect("127.0.0.1", gw.demo_port());
    EXPECT_TRUE(s) << s.describe();
}

TEST(Signals, Usr1ReportsStatusAndUsr2IsIgnored) {
    GatewayProcess gw({}, with_log_output());
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.ws_url()));
    gw.signal(SIGUSR1);
    const std::string status = gw.read_output("file descriptors", std::chrono::seconds(5));
    EXPECT_NE(status.find("status: 1 sessions"), std::string::npos) << status;
    gw.signal(SIGUSR2);
    EXPECT_EQ(gw.get("/healthz").status, 200);
    EXPECT_TRUE(c.session_open());
    EXPECT_TRUE(gw.alive());
}

TEST(Signals, ShutdownLogCountsTheSocketsEachSessionHad) {
    GatewayProcess gw({}, with_log_output());
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.ws_url()));
    for (int i = 0; i < 25; ++i) ASSERT_TRUE(c.bind(std::string("127.0.0.1"), 0));
    gw.signal(SIGTERM);
    const std::string log = gw.read_output("sockets closed)", std::chrono::seconds(5));
    EXPECT_NE(log.find("25 sockets closed"), std::string::npos) << log;
    EXPECT_EQ(gw.stop(), 0);
}
