// The gateway against its file-descriptor limit: limits sized to it at
// start, and connections answered when it is near.
#include "gateway_fixture.hpp"

#include <vector>

#include "support/raw_websocket.hpp"
#include "support/wait.hpp"

using namespace sockgate::testing;

TEST(DescriptorLimit, DefaultSessionLimitIsSizedToTheDescriptorLimit) {
    GatewayProcess gw({}, with_fd_limit(1024));
    const auto info = nlohmann::json::parse(gw.get("/api/info").body);
    const long long sessions = info.at("limits").at("sessions").get<long long>();
    const long long sockets = info.at("limits").at("sockets").get<long long>();
    EXPECT_GE(sessions, 1);
    EXPECT_LT(sessions, 256) << "the default of 256 sessions x 64 sockets cannot fit in 1024 descriptors";
    EXPECT_LE(sessions * (sockets + 1), 1024);
    EXPECT_EQ(gw.metric("process_max_fds"), 1024);
}

TEST(DescriptorLimit, ChosenSessionLimitBeyondItRefusesToStart) {
    const RunResult r = run_gateway({"--listen", "127.0.0.1:0", "--demo-port", "0", "--max-sessions", "256"},
                                    std::chrono::seconds(10), 1024);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("file descriptors"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("ulimit -n"), std::string::npos) << r.output;
}

TEST(DescriptorLimit, StartRaisesTheSoftLimitToTheHardOne) {
    GatewayProcess gw({}, with_fd_limit(2048));
    EXPECT_EQ(gw.metric("process_max_fds"), 2048);
    const long long open = gw.metric("process_open_fds");
    EXPECT_GT(open, 3);
    EXPECT_LT(open, 64);
}

// With every session's sockets open, a crowd of new connections takes the
// gateway to its limit. Each must be answered or closed, never left hanging,
// and sessions must get EMFILE rather than a hang or a crash.
TEST(DescriptorLimit, NearTheLimitEveryConnectionIsAnsweredOrClosed) {
    GatewayProcess gw({"--max-sessions", "2", "--max-sockets", "160", "--max-http-connections", "16",
                       "--max-connections-per-address", "100"},
                      with_fd_limit(400));
    std::vector<std::unique_ptr<BlockingClient>> sessions;
    for (int i = 0; i < 2; ++i) {
        sessions.push_back(std::make_unique<BlockingClient>());
        ASSERT_TRUE(sessions.back()->start(gw.ws_url()));
        for (int k = 0; k < 160; ++k) {
            auto u = sessions.back()->bind(std::string("127.0.0.1"), 0);
            ASSERT_TRUE(u) << "bind " << k << ": " << u.describe();
        }
        auto over = sessions.back()->bind(std::string("127.0.0.1"), 0);
        ASSERT_FALSE(over);
        EXPECT_EQ(over.error().code, "EMFILE");
    }

    std::vector<std::unique_ptr<RawWebSocket>> crowd;
    for (int i = 0; i < 100; ++i) crowd.push_back(std::make_unique<RawWebSocket>(gw.port()));
    int answered = 0, closed = 0, hanging = 0;
    for (auto& c : crowd) {
        if (!c->connected()) {
            ++closed;
            continue;
        }
        c->send_upgrade();
        const int status = c->read_upgrade_status(std::chrono::seconds(8));
        if (status == 503) {
            ++answered;
        } else if (status == 0 && c->wait_closed(std::chrono::milliseconds(1))) {
            ++closed;
        } else if (status == 0) {
            ++hanging;
        }
    }
    EXPECT_EQ(hanging, 0) << answered << " answered 503, " << closed << " closed";
    EXPECT_GE(answered, 1);
    crowd.clear();
    // Once the crowd is gone the gateway answers as usual.
    int status = 0;
    wait_until([&] { return (status = gw.get("/healthz").status) == 200; }, std::chrono::seconds(10));
    EXPECT_EQ(status, 200);
    EXPECT_TRUE(gw.alive());
}
