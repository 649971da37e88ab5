// `sockgate --healthcheck`, the container image's HEALTHCHECK: exit 0 for a
// gateway that answers /healthz, 1 when there is none.
#include <gtest/gtest.h>

#include <string>

#include "support/gateway_process.hpp"

namespace sockgate::testing {
namespace {

TEST(Healthcheck, PassesAgainstARunningGateway) {
    GatewayProcess gw;
    const auto r =
        run_gateway({"--healthcheck", "--listen", "127.0.0.1:" + std::to_string(gw.port())}, std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 0) << r.output;
}

// In the image the gateway listens on 0.0.0.0 with a token in its
// environment; the check asks loopback and needs no token itself.
TEST(Healthcheck, WildcardListenIsAskedOnLoopbackWithoutAToken) {
    GatewayProcess gw;
    const auto r =
        run_gateway({"--healthcheck", "--listen", "0.0.0.0:" + std::to_string(gw.port())}, std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(Healthcheck, FailsWithAReasonWhenNoGatewayAnswers) {
    uint16_t port = 0;
    {
        GatewayProcess gw;
        port = gw.port();
        gw.stop();
    }
    const auto r =
        run_gateway({"--healthcheck", "--listen", "127.0.0.1:" + std::to_string(port)}, std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("unhealthy: cannot connect"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace sockgate::testing
