// The gateway with --tls-cert/--tls-key: https:// and wss:// on one port,
// static files through the TLS stream, old TLS and plaintext turned away,
// the certificate swapped on SIGHUP under open sessions, and bad files
// refused at start. The certificates are made here with Debian's openssl.
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "protocol/frame.hpp"
#include "support/gateway_process.hpp"
#include "support/native_peers.hpp"
#include "support/test_dir.hpp"
#include "support/tls_client.hpp"
#include "support/wait.hpp"

using namespace sockgate::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// A directory of its own per test: certificates, keys, a web root.
class TlsTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_.write("web/index.html", "<!doctype html><title>sockgate tls test</title>");
        cert_ = {path("cert.pem"), path("key.pem")};
        ASSERT_TRUE(make_test_certificate(cert_)) << "openssl could not make a certificate";
    }
    void TearDown() override {
        if (gw_) {
            EXPECT_TRUE(gw_->alive()) << "the gateway died during the test";
            EXPECT_EQ(gw_->stop(), 0) << "the gateway did not stop cleanly";
        }
    }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    GatewayProcess& start_gateway(std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"--tls-cert",   cert_.cert_file, "--tls-key",
                                      cert_.key_file, "--web-root",    path("web")};
        args.insert(args.end(), extra.begin(), extra.end());
        gw_ = std::make_unique<GatewayProcess>(args, with_log_output());
        return *gw_;
    }

    HttpResponse https_get(const std::string& target) {
        TlsClient c(gw_->port());
        return c.get(target);
    }

    long long https_metric(const std::string& name) { return metric(https_get("/metrics").body, name); }

    TestDir dir_{"tls"};
    TestCertificate cert_;
    std::unique_ptr<GatewayProcess> gw_;
};

// A session over wss: upgraded and past hello, with a TCP stream to the
// demo echo peer.
class WssSession {
public:
    explicit WssSession(uint16_t port) : c_(port) {}

    // "" when the session is open and connected to the echo peer.
    std::string open(uint16_t demo_port) {
        if (auto e = c_.handshake(); !e.empty()) return "TLS handshake: " + e;
        if (int status = c_.upgrade(); status != 101) return "upgrade answered " + std::to_string(status);
        if (!c_.send_frame(1, R"({"op":"hello","id":1,"version":1})")) return "could not send hello";
        const json hello = next_reply();
        if (!hello.value("ok", false)) return "hello: " + hello.dump();
        c_.send_frame(
            1, R"({"op":"connect","id":2,"proto":"tcp","host":"127.0.0.1","port":)" + std::to_string(demo_port) + "}");
        const json connected = next_reply();
        if (!connected.value("ok", false)) return "connect: " + connected.dump();
        sock_ = connected.at("sock").get<uint32_t>();
        return "";
    }

    // Sends `text` to the echo peer and returns what came back.
    std::string echo(const std::string& text) {
        if (!c_.send_frame(2, sockgate::proto::encode_data(sock_, text))) return "(send failed)";
        std::string back;
        while (back.size() < text.size()) {
            auto f = c_.read_frame();
            if (!f) return back + "(nothing more came)";
            if (f->opcode != 2) continue;
            const auto d = sockgate::proto::decode_frame(f->payload);
            if (d && d.frame.kind == sockgate::proto::FrameKind::data && d.frame.sock == sock_)
                back += std::string(d.frame.payload);
        }
        return back;
    }

    TlsClient& client() { return c_; }

private:
    json next_reply() {
        for (;;) {
            auto f = c_.read_frame();
            if (!f) return json{{"error", "no reply"}};
            if (f->opcode == 1) return json::parse(f->payload, nullptr, false);
        }
    }

    TlsClient c_;
    uint32_t sock_ = 0;
};

// Waits for the gateway to close `fd` without reading from it.
bool closed_within(int fd, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLRDHUP, 0};
        if (poll(&p, 1, 50) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) return true;
    }
    return false;
}

}  // namespace

TEST_F(TlsTest, BannerAndHealthzSpeakHttps) {
    start_gateway();
    const std::string base = "127.0.0.1:" + std::to_string(gw_->port());
    EXPECT_NE(gw_->banner().find("listening on https://" + base + "/ (WebSocket wss://" + base + "/ws)"),
              std::string::npos)
        << gw_->banner();
    const auto r = https_get("/healthz");
    ASSERT_EQ(r.status, 200) << r.headers;
    EXPECT_EQ(json::parse(r.body).at("status"), "ok");
    TlsClient c(gw_->port());
    ASSERT_EQ(c.handshake(), "");
    EXPECT_EQ(c.peer_serial(), certificate_serial(cert_.cert_file));
}

TEST_F(TlsTest, WssSessionSaysHelloAndEchoesThroughTheDemoPeer) {
    start_gateway();
    WssSession s(gw_->port());
    ASSERT_EQ(s.open(gw_->demo_port()), "");
    EXPECT_EQ(s.echo("over wss"), "over wss");
    // Larger than one TLS record and one read: the unmasking and the
    // reassembly both work on the TLS side too.
    const std::string big = pattern_bytes(200000, 7);
    EXPECT_EQ(s.echo(big), big);
}

TEST_F(TlsTest, StaticFileArrivesByteForByte) {
    // Several of the writer's 64 KiB pieces and many TLS records.
    const std::string bytes = pattern_bytes(3 * 1024 * 1024 + 17, 42);
    std::ofstream(path("web/blob.bin"), std::ios::binary) << bytes;
    start_gateway();
    const auto r = https_get("/blob.bin");
    ASSERT_EQ(r.status, 200) << r.headers;
    EXPECT_EQ(r.body.size(), bytes.size());
    EXPECT_TRUE(r.body == bytes) << "the body differs from the file";
    EXPECT_EQ(https_metric("sockgate_http_file_responses_total"), 1);
}

TEST_F(TlsTest, SlowDownloadIsDroppedAfterTheSendDeadline) {
    std::ofstream(path("web/big.bin"), std::ios::binary) << std::string(16 << 20, 'x');
    start_gateway({"--http-send-timeout-ms", "1000"});
    TlsClient slow(gw_->port(), TlsClientOptions{false, 4096});
    ASSERT_EQ(slow.handshake(), "");
    ASSERT_TRUE(slow.write("GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    // Not reading is the point: the gateway's writes through TLS stall.
    EXPECT_TRUE(closed_within(slow.native_fd(), 10s)) << "a client that reads nothing keeps its connection";
    EXPECT_EQ(https_metric("sockgate_http_send_timeouts_total"), 1);
    EXPECT_EQ(https_get("/index.html").status, 200) << "the gateway still serves others";
}

TEST_F(TlsTest, OldTlsAndPlaintextAreRefusedAndServingGoesOn) {
    start_gateway();
    TlsClient old(gw_->port(), TlsClientOptions{true, 0});
    // The gateway's protocol_version alert: the client did offer TLS 1.1
    // and it was the gateway that said no.
    const std::string refused = old.handshake();
    EXPECT_NE(refused.find("alert protocol version"), std::string::npos)
        << (refused.empty() ? "the gateway accepted TLS 1.1" : refused);

    // Plain HTTP on the TLS port gets no HTTP answer.
    const auto plain = gw_->get("/healthz");
    EXPECT_EQ(plain.status, 0) << plain.headers;

    EXPECT_EQ(https_get("/healthz").status, 200);
    WssSession s(gw_->port());
    ASSERT_EQ(s.open(gw_->demo_port()), "");
    EXPECT_EQ(s.echo("still here"), "still here");
}

TEST_F(TlsTest, ClientThatNeverSendsAClientHelloIsDropped) {
    start_gateway();
    Fd silent = tcp_connect("127.0.0.1", gw_->port());
    ASSERT_TRUE(silent);
    // websocketpp's TLS handshake deadline is 5 s.
    EXPECT_TRUE(closed_within(silent.get(), 10s)) << "a connection that never starts TLS is kept";
    EXPECT_EQ(https_metric("sockgate_connections{stage=\"pre_session\"}"), 1) << "only the /metrics request itself";
}

TEST_F(TlsTest, ConnectionsBeforeTheUpgradeAreCountedAndTheExtraOneIsClosed) {
    start_gateway({"--max-connections-per-address", "1"});
    // Holds the one place: a connection counts before its TLS handshake.
    Fd holder = tcp_connect("127.0.0.1", gw_->port());
    ASSERT_TRUE(holder);
    TlsClient extra(gw_->port());
    EXPECT_NE(extra.handshake(), "") << "a connection past --max-connections-per-address was served";
    holder = Fd();
    // Once the holder's place is free, requests are served again; those
    // that still found it taken were refused too.
    HttpResponse r;
    int refused = 1;
    wait_until(
        [&] {
            r = https_get("/metrics");
            if (r.status == 200) return true;
            ++refused;
            return false;
        },
        5s);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(metric(r.body, "sockgate_connections_refused_total{reason=\"busy\"}"), refused);
}

TEST_F(TlsTest, HangupServesTheNewCertificateAndKeepsOpenSessions) {
    start_gateway();
    const std::string old_serial = certificate_serial(cert_.cert_file);
    WssSession before(gw_->port());
    ASSERT_EQ(before.open(gw_->demo_port()), "");
    ASSERT_EQ(before.client().peer_serial(), old_serial);

    ASSERT_TRUE(make_test_certificate(cert_));
    const std::string new_serial = certificate_serial(cert_.cert_file);
    ASSERT_NE(new_serial, old_serial);
    gw_->signal(SIGHUP);
    const std::string log = gw_->read_output("reloaded the TLS certificate", 5s);
    ASSERT_NE(log.find("reloaded the TLS certificate"), std::string::npos) << log;

    TlsClient after(gw_->port());
    ASSERT_EQ(after.handshake(), "");
    EXPECT_EQ(after.peer_serial(), new_serial);
    EXPECT_EQ(before.echo("opened before the reload"), "opened before the reload");
    EXPECT_EQ(https_metric("sockgate_sessions"), 1);
}

TEST_F(TlsTest, HangupWithABrokenKeyKeepsTheRunningCertificate) {
    start_gateway();
    const std::string serial = certificate_serial(cert_.cert_file);
    std::ofstream(cert_.key_file, std::ios::trunc) << "-----BEGIN PRIVATE KEY-----\nnot a key\n";
    gw_->signal(SIGHUP);
    const std::string log = gw_->read_output("keeping the running certificate", 5s);
    ASSERT_NE(log.find("TLS reload failed, keeping the running certificate"), std::string::npos) << log;

    TlsClient c(gw_->port());
    ASSERT_EQ(c.handshake(), "");
    EXPECT_EQ(c.peer_serial(), serial);
    WssSession s(gw_->port());
    ASSERT_EQ(s.open(gw_->demo_port()), "");
    EXPECT_EQ(s.echo("old certificate"), "old certificate");
}

TEST_F(TlsTest, StartRefusesAMissingKey) {
    const auto r = run_gateway(
        {"--listen", "127.0.0.1:0", "--no-demo", "--tls-cert", cert_.cert_file, "--tls-key", path("missing.pem")});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("cannot read the TLS key " + path("missing.pem")), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("listening on"), std::string::npos);
}

TEST_F(TlsTest, StartRefusesAKeyOfAnotherCertificate) {
    const TestCertificate other{path("other-cert.pem"), path("other-key.pem")};
    ASSERT_TRUE(make_test_certificate(other));
    const auto r = run_gateway(
        {"--listen", "127.0.0.1:0", "--no-demo", "--tls-cert", cert_.cert_file, "--tls-key", other.key_file});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("does not belong to the certificate"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("listening on"), std::string::npos);
}

TEST_F(TlsTest, CertificateWithoutKeyIsRefused) {
    const auto r = run_gateway({"--listen", "127.0.0.1:0", "--no-demo", "--tls-cert", cert_.cert_file});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("--tls-cert needs --tls-key"), std::string::npos) << r.output;
}

TEST_F(TlsTest, ConfigFileKeysTurnTlsOn) {
    std::ofstream(path("config.json")) << json{{"tls_cert", cert_.cert_file}, {"tls_key", cert_.key_file}}.dump();
    gw_ = std::make_unique<GatewayProcess>(std::vector<std::string>{"--config", path("config.json")});
    EXPECT_EQ(https_get("/healthz").status, 200);
}
