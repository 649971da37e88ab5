// A real gateway process per test, and clients that talk to it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "support/blocking_client.hpp"
#include "support/gateway_process.hpp"
#include "support/native_peers.hpp"

namespace sockgate::testing {

using client::BlockingClient;
using namespace std::chrono_literals;

// Long enough on loopback for a frame the gateway should not have sent (data
// beyond credit, a WINDOW it should have held back) to arrive.
constexpr auto kLongEnoughForAStrayFrame = 300ms;

class GatewayTest : public ::testing::Test {
protected:
    // Starts the gateway with extra flags (call at most once per test; the
    // first client() call starts it with none).
    GatewayProcess& start_gateway(std::vector<std::string> flags = {}) {
        gw_ = std::make_unique<GatewayProcess>(std::move(flags));
        return *gw_;
    }
    GatewayProcess& gw() {
        if (!gw_) start_gateway();
        return *gw_;
    }

    // A client past hello; fails the test if that does not work.
    std::unique_ptr<BlockingClient> client(client::ClientOptions options = {}) {
        auto c = std::make_unique<BlockingClient>(options);
        auto hello = c->start(gw().ws_url());
        EXPECT_TRUE(hello) << hello.describe();
        return c;
    }

    // The gateway must survive every test and stop cleanly: a crash, a
    // sanitizer report or a leak shows up as a non-zero exit status.
    void TearDown() override {
        if (!gw_) return;
        EXPECT_TRUE(gw_->alive()) << "the gateway died during the test";
        EXPECT_EQ(gw_->stop(), 0) << "the gateway did not stop cleanly";
    }

    std::string metrics() { return gw().metrics(); }

    // Reads `name` until it is `value` (the gateway updates it
    // asynchronously); returns the last reading.
    long long wait_for_metric(const std::string& name, long long value, std::chrono::milliseconds timeout = 2s) {
        return gw().wait_for_metric(name, value, timeout);
    }

    // A TCP stream from `c` through the gateway to a native peer the test
    // holds; sock is 0 (and the test has failed) if the connect did not work.
    struct RelayedStream {
        uint32_t sock = 0;
        Fd peer;
    };
    RelayedStream connect_to_native_peer(BlockingClient& c) {
        uint16_t port = 0;
        Fd listener = tcp_listen("127.0.0.1", port);
        auto s = c.connect("127.0.0.1", port);
        EXPECT_TRUE(s) << s.describe();
        if (!s) return {};
        RelayedStream out{s->sock, tcp_accept(listener)};
        EXPECT_TRUE(out.peer) << "the gateway's connection never arrived";
        return out;
    }

private:
    std::unique_ptr<GatewayProcess> gw_;
};

}  // namespace sockgate::testing
