// A real gateway process per test, and clients that talk to it.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "support/gateway_process.hpp"
#include "support/native_peers.hpp"
#include "wasm/native/blocking_client.hpp"

namespace sockgate::testing {

using client::BlockingClient;
using namespace std::chrono_literals;

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

    std::string metrics() { return gw().get("/metrics").body; }

private:
    std::unique_ptr<GatewayProcess> gw_;
};

}  // namespace sockgate::testing
