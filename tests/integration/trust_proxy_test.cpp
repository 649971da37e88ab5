// --trust-proxy: behind a reverse proxy every connection comes from the
// proxy. From a trusted proxy the client is the address its X-Forwarded-For
// or X-Real-IP names, in logs, the per-address cap and /metrics; from any
// other peer those headers are a claim anyone could make, and change
// nothing. Other loopback addresses (127.0.0.2) play clients that are not
// the proxy.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/gateway_process.hpp"
#include "support/native_peers.hpp"
#include "support/non_reader.hpp"
#include "support/test_dir.hpp"

using namespace sockgate::testing;
using namespace std::chrono_literals;

namespace {

const char* kDownloads = "sockgate_http_file_responses";

std::string upgrade_request(uint16_t port, const std::string& extra_headers) {
    return "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Protocol: sockgate.v1\r\n" +
           extra_headers + "\r\n";
}

class TrustProxy : public ::testing::Test {
protected:
    // A web root with a file too big for a non-reading client's buffers,
    // so a download of it holds its connection in the gateway's counts.
    void SetUp() override { web_.write("big.bin", std::string(16 << 20, 'x')); }
    void TearDown() override {
        if (!gw_) return;
        EXPECT_TRUE(gw_->alive()) << "the gateway died during the test";
        EXPECT_EQ(gw_->stop(), 0) << "the gateway did not stop cleanly";
    }

    GatewayProcess& start(std::vector<std::string> flags) {
        flags.insert(flags.end(), {"--web-root", web_.path().string(), "--max-connections-per-address", "2"});
        gw_ = std::make_unique<GatewayProcess>(flags, with_log_output());
        return *gw_;
    }

    // A download that is never read, from `from`, claiming `forwarded_for`.
    void hold_download(const std::string& forwarded_for, const std::string& from = "127.0.0.1") {
        held_.push_back(
            std::make_unique<NonReader>(gw_->port(), "/big.bin", "X-Forwarded-For: " + forwarded_for + "\r\n", from));
        ASSERT_TRUE(held_.back()->sent());
    }

    // The gateway logs this whole line (waiting up to 5 s for it).
    bool logged(const std::string& line) {
        return gw_->read_output(line + "\n", 5s).find(line + "\n") != std::string::npos;
    }

    TestDir web_{"trust-proxy"};
    std::unique_ptr<GatewayProcess> gw_;
    std::vector<std::unique_ptr<NonReader>> held_;
};

}  // namespace

TEST_F(TrustProxy, EachForwardedClientIsHeldToThePerAddressCapAndTheProxyIsNot) {
    start({"--trust-proxy", "127.0.0.1/32"});
    hold_download("203.0.113.7");
    hold_download("203.0.113.7");
    ASSERT_EQ(gw_->wait_for_metric(kDownloads, 2), 2);

    const HttpResponse over = gw_->get("/healthz", {"X-Forwarded-For: 203.0.113.7"});
    EXPECT_EQ(over.status, 503);
    EXPECT_NE(over.body.find("too many connections from 203.0.113.7"), std::string::npos) << over.body;
    const HttpResponse handshake = gw_->request(upgrade_request(gw_->port(), "X-Forwarded-For: 203.0.113.7\r\n"));
    EXPECT_EQ(handshake.status, 503) << "a WebSocket handshake from the same client is refused too";
    EXPECT_NE(handshake.body.find("--max-connections-per-address"), std::string::npos) << handshake.body;
    EXPECT_EQ(gw_->get("/healthz", {"X-Forwarded-For: 198.51.100.9"}).status, 200)
        << "another client behind the same proxy";

    // Two silent connections from the proxy itself fill the cap for its own
    // address, which must not turn away the clients it brings.
    Fd silent1 = tcp_connect("127.0.0.1", gw_->port()), silent2 = tcp_connect("127.0.0.1", gw_->port());
    ASSERT_TRUE(silent1 && silent2);
    ASSERT_EQ(gw_->wait_for_metric("sockgate_connections{stage=\"pre_session\"}", 5), 5)
        << "two downloads, two silent connections and the /metrics request";
    EXPECT_EQ(gw_->get("/healthz", {"X-Forwarded-For: 198.51.100.10"}).status, 200);
    EXPECT_EQ(gw_->metric("sockgate_client_addresses"), 2) << "203.0.113.7, and the proxy for itself";
    EXPECT_GE(gw_->metric("sockgate_forwarded_headers_total{outcome=\"used\"}"), 5);
}

TEST_F(TrustProxy, PeerOutsideTheTrustedRangeCannotClaimOtherAddresses) {
    start({"--trust-proxy", "127.0.0.1/32"});
    hold_download("203.0.113.1", "127.0.0.2");
    hold_download("203.0.113.2", "127.0.0.2");
    ASSERT_EQ(gw_->wait_for_metric(kDownloads, 2), 2);
    const HttpResponse over = gw_->get("/healthz", {"X-Forwarded-For: 203.0.113.3"}, "127.0.0.2");
    EXPECT_EQ(over.status, 503);
    EXPECT_NE(over.body.find("too many connections from 127.0.0.2"), std::string::npos) << over.body;
    EXPECT_EQ(gw_->metric("sockgate_forwarded_headers_total{outcome=\"untrusted\"}"), 2);
    EXPECT_EQ(gw_->metric("sockgate_forwarded_headers_total{outcome=\"used\"}"), 0);
}

TEST_F(TrustProxy, WithoutTheFlagForwardedHeadersAreIgnored) {
    start({});
    hold_download("203.0.113.1", "127.0.0.2");
    hold_download("203.0.113.2", "127.0.0.2");
    ASSERT_EQ(gw_->wait_for_metric(kDownloads, 2), 2);
    const HttpResponse over = gw_->get("/healthz", {"X-Real-IP: 203.0.113.3"}, "127.0.0.2");
    EXPECT_EQ(over.status, 503);
    EXPECT_NE(over.body.find("too many connections from 127.0.0.2"), std::string::npos) << over.body;
    EXPECT_EQ(gw_->metric("sockgate_forwarded_headers_total{outcome=\"untrusted\"}"), 2);
}

TEST_F(TrustProxy, SessionsAreLoggedAsTheClientTheProxyNames) {
    start({"--trust-proxy", "127.0.0.0/8"});
    // The left entry is the client's own claim; the nearest untrusted hop wins.
    EXPECT_EQ(gw_->request(upgrade_request(gw_->port(), "X-Forwarded-For: 198.51.100.20, 203.0.113.7\r\n")).status,
              101);
    EXPECT_TRUE(logged("opened from 203.0.113.7 via proxy 127.0.0.1"));
    EXPECT_EQ(gw_->request(upgrade_request(gw_->port(), "X-Real-IP: 2001:db8::7\r\n")).status, 101);
    EXPECT_TRUE(logged("opened from 2001:db8::7 via proxy 127.0.0.1"));
    EXPECT_EQ(gw_->request(upgrade_request(gw_->port(), "X-Forwarded-For: 203.0.113.8\r\n"), "127.0.0.2").status, 101);
    EXPECT_TRUE(logged("opened from 203.0.113.8 via proxy 127.0.0.2"))
        << "every address in the range is a trusted proxy";
}

TEST_F(TrustProxy, UnusableForwardedForIsLoggedAndTheProxyCounted) {
    start({"--trust-proxy", "127.0.0.1/32"});
    const HttpResponse r = gw_->get("/healthz", {"X-Forwarded-For: unknown"});
    EXPECT_EQ(r.status, 200) << "the request is still served";
    const std::string log = gw_->read_output("counting the connection as 127.0.0.1\n", 5s);
    EXPECT_NE(log.find("X-Forwarded-For entry 'unknown' is not an IP address"), std::string::npos) << log;
    EXPECT_NE(log.find("counting the connection as 127.0.0.1"), std::string::npos) << log;
    EXPECT_EQ(gw_->metric("sockgate_forwarded_headers_total{outcome=\"invalid\"}"), 1);
}
