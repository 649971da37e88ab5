// The gateway's HTTP side and WebSocket handshake checks, against the real
// binary over real sockets.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>

#ifdef SOCKGATE_TEST_HAVE_ZLIB
#include <zlib.h>
#endif

#include "support/gateway_process.hpp"
#include "support/native_peers.hpp"
#include "support/read_file.hpp"

using namespace sockgate::testing;
using namespace std::chrono_literals;

namespace {

// One request on its own connection, as a client that would keep the
// connection sees it: everything until the server closes or `patience` runs out.
struct Exchange {
    HttpResponse response;
    bool closed_by_server = false;
};

Exchange exchange(uint16_t port, const std::string& raw, std::chrono::milliseconds patience = 5s) {
    Exchange x;
    const Fd conn = tcp_connect("127.0.0.1", port);
    if (!conn) return x;
    const int fd = conn.get();
    send(fd, raw.data(), raw.size(), MSG_NOSIGNAL);
    std::string all;
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        char buf[65536];
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            x.closed_by_server = n == 0 || errno == ECONNRESET;
            break;
        }
        all.append(buf, size_t(n));
    }
    const auto head_end = all.find("\r\n\r\n");
    if (head_end == std::string::npos) return x;
    x.response.headers = all.substr(0, head_end);
    x.response.body = all.substr(head_end + 4);
    if (x.response.headers.size() > 12) x.response.status = std::stoi(x.response.headers.substr(9, 3));
    return x;
}

// A request with no Connection header: HTTP/1.1 keeps the connection by default.
std::string keep_alive_request(const std::string& method, const std::string& target,
                               const std::string& extra_headers = "") {
    return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n";
}

std::string handshake(uint16_t port, const std::string& extra_headers, const std::string& host = "") {
    return "GET /ws HTTP/1.1\r\nHost: " + (host.empty() ? "127.0.0.1:" + std::to_string(port) : host) +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
           extra_headers + "\r\n";
}

const std::string kOffer = "Sec-WebSocket-Protocol: sockgate.v1\r\n";

std::filesystem::path make_web_root() {
    auto dir = std::filesystem::temp_directory_path() / ("sockgate-web-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "sub");
    std::ofstream(dir / "index.html") << "<!doctype html><title>sockgate test</title>";
    std::ofstream(dir / "app.wasm", std::ios::binary) << std::string("\0asm\1\0\0\0", 8);
    std::ofstream(dir / "sub" / "index.html") << "sub index";
    return dir;
}

// A gzip stream's content, or nullopt when it is not valid gzip.
std::optional<std::string> gunzip(const std::string& compressed) {
#ifdef SOCKGATE_TEST_HAVE_ZLIB
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return std::nullopt;  // 16: gzip header, not zlib
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    z.avail_in = uInt(compressed.size());
    std::string out;
    char chunk[16384];
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(chunk);
        z.avail_out = sizeof chunk;
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(chunk, sizeof chunk - z.avail_out);
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END || z.avail_in != 0) return std::nullopt;
    return out;
#else
    (void)compressed;
    return std::nullopt;
#endif
}

// A web root as scripts/build-web.sh leaves it: app.js (large enough to be
// worth compressing), with app.js.br and app.js.gz written by the real
// web/compress.mjs, and small.txt, too small to get siblings.
class Precompressed : public ::testing::Test {
protected:
    void SetUp() override {
        if (std::string(SOCKGATE_NODE_BIN).empty()) GTEST_SKIP() << "node not found at configure time";
        root_ =
            std::filesystem::temp_directory_path() / ("sockgate-web-br-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(root_);
        std::filesystem::create_directories(root_);
        for (int i = 0; i < 400; ++i)
            original_ += "export function f" + std::to_string(i) + "(x) { return x * " + std::to_string(i) + "; }\n";
        std::ofstream(root_ / "app.js", std::ios::binary) << original_;
        std::ofstream(root_ / "small.txt") << "tiny";
        const std::string command = std::string(SOCKGATE_NODE_BIN) + " '" SOCKGATE_SOURCE_DIR "/web/compress.mjs' '" +
                                    root_.string() + "' >/dev/null";
        ASSERT_EQ(std::system(command.c_str()), 0) << command;
        ASSERT_TRUE(std::filesystem::exists(root_ / "app.js.br"));
        ASSERT_TRUE(std::filesystem::exists(root_ / "app.js.gz"));
        gw_ = std::make_unique<GatewayProcess>(std::vector<std::string>{"--web-root", root_.string()});
    }
    void TearDown() override {
        gw_.reset();
        if (!root_.empty()) std::filesystem::remove_all(root_);
    }
    HttpResponse get(const std::string& target, const std::vector<std::string>& headers = {}) const {
        return gw_->get(target, headers);
    }

    std::filesystem::path root_;
    std::string original_;
    std::unique_ptr<GatewayProcess> gw_;
};

}  // namespace

TEST_F(Precompressed, BrotliWhenAcceptedWithTheFilesType) {
    const auto r = get("/app.js", {"Accept-Encoding: gzip, br"});
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Content-Encoding"), "br");
    EXPECT_EQ(r.header("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(r.header("Vary"), "Accept-Encoding");
    EXPECT_EQ(r.header("Cross-Origin-Embedder-Policy"), "require-corp");
    EXPECT_EQ(r.header("Cross-Origin-Opener-Policy"), "same-origin");
    EXPECT_EQ(r.header("Cache-Control"), "no-cache");
    // web/compress.mjs's own test shows the .br decodes to the original.
    EXPECT_EQ(r.body, read_file(root_ / "app.js.br"));
    EXPECT_LT(r.body.size(), original_.size() / 4);
}

TEST_F(Precompressed, GzipWhenOnlyGzipIsAccepted) {
    for (const char* header :
         {"Accept-Encoding: gzip", "Accept-Encoding: br;q=0, gzip", "accept-encoding: GZIP , BR;Q=0"}) {
        const auto r = get("/app.js", {header});
        ASSERT_EQ(r.status, 200) << header;
        EXPECT_EQ(r.header("Content-Encoding"), "gzip") << header;
        EXPECT_EQ(r.header("Vary"), "Accept-Encoding") << header;
        EXPECT_EQ(r.header("Content-Type"), "text/javascript; charset=utf-8") << header;
#ifdef SOCKGATE_TEST_HAVE_ZLIB
        const auto plain = gunzip(r.body);
        ASSERT_TRUE(plain) << header << ": the body is not gzip";
        EXPECT_EQ(*plain, original_) << header;
#else
        EXPECT_EQ(r.body, read_file(root_ / "app.js.gz")) << header << " (zlib missing: compared, not decoded)";
#endif
    }
}

TEST_F(Precompressed, PlainWithoutAcceptEncodingButVaryStill) {
    for (const std::vector<std::string>& headers : std::vector<std::vector<std::string>>{
             {}, {"Accept-Encoding: identity"}, {"Accept-Encoding: br;q=0, gzip;q=0"}}) {
        const auto r = get("/app.js", headers);
        ASSERT_EQ(r.status, 200);
        EXPECT_EQ(r.header("Content-Encoding"), "");
        EXPECT_EQ(r.body, original_);
        EXPECT_EQ(r.header("Vary"), "Accept-Encoding") << "a shared cache must not give this to a br client";
    }
}

TEST_F(Precompressed, MalformedAcceptEncodingGetsThePlainFile) {
    for (const char* header : {"Accept-Encoding: br;q=high", "Accept-Encoding: \"br\"", "Accept-Encoding: gzip;q=7"}) {
        const auto r = get("/app.js", {header});
        ASSERT_EQ(r.status, 200) << header;
        EXPECT_EQ(r.header("Content-Encoding"), "") << header;
        EXPECT_EQ(r.body, original_) << header;
    }
}

TEST_F(Precompressed, FileWithoutSiblingsHasNoVary) {
    const auto r = get("/small.txt", {"Accept-Encoding: gzip, br"});
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "tiny");
    EXPECT_EQ(r.header("Content-Encoding"), "");
    EXPECT_EQ(r.header("Vary"), "");
    EXPECT_FALSE(r.header("ETag").empty());
}

TEST_F(Precompressed, CompressedFileAskedForByNameIsServedAsItIs) {
    const auto r = get("/app.js.gz", {"Accept-Encoding: gzip, br"});
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Content-Encoding"), "");
    EXPECT_EQ(r.header("Content-Type"), "application/gzip");
    EXPECT_EQ(r.body, read_file(root_ / "app.js.gz"));
}

TEST_F(Precompressed, MatchingETagGives304WithNoBody) {
    const auto full = get("/app.js", {"Accept-Encoding: gzip, br"});
    const std::string etag = full.header("ETag");
    ASSERT_FALSE(etag.empty());
    const auto again = get("/app.js", {"Accept-Encoding: gzip, br", "If-None-Match: " + etag});
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(again.header("ETag"), etag);
    EXPECT_EQ(again.header("Vary"), "Accept-Encoding");
    EXPECT_EQ(again.header("Cross-Origin-Embedder-Policy"), "require-corp");
}

TEST_F(Precompressed, StaleETagGetsTheFullFile) {
    const auto r = get("/app.js", {"Accept-Encoding: br", "If-None-Match: \"0-0-br\""});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, read_file(root_ / "app.js.br"));
    // The plain file's tag does not validate the brotli bytes either.
    const std::string plain_etag = get("/app.js").header("ETag");
    ASSERT_FALSE(plain_etag.empty());
    EXPECT_EQ(get("/app.js", {"Accept-Encoding: br", "If-None-Match: " + plain_etag}).status, 200);
    EXPECT_EQ(get("/app.js", {"If-None-Match: " + plain_etag}).status, 304);
}

TEST_F(Precompressed, HeadCarriesTheEncodingWithoutBody) {
    const auto r = gw_->request(
        "HEAD /app.js HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: br\r\n"
        "Connection: close\r\n\r\n");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Content-Encoding"), "br");
    EXPECT_EQ(r.header("Vary"), "Accept-Encoding");
    EXPECT_TRUE(r.body.empty());
}

TEST_F(Precompressed, HeadHasTheContentLengthOfTheBodyGetWouldSend) {
    for (const char* coding : {"", "Accept-Encoding: br\r\n", "Accept-Encoding: gzip\r\n"}) {
        for (const char* target : {"/app.js", "/small.txt"}) {
            const auto get = exchange(gw_->port(), keep_alive_request("GET", target, coding));
            const auto head = exchange(gw_->port(), keep_alive_request("HEAD", target, coding));
            ASSERT_EQ(get.response.status, 200) << target << " " << coding;
            ASSERT_EQ(head.response.status, 200) << target << " " << coding;
            EXPECT_EQ(get.response.header("Content-Length"), std::to_string(get.response.body.size()));
            EXPECT_EQ(head.response.header("Content-Length"), std::to_string(get.response.body.size()))
                << target << " " << coding;
            EXPECT_TRUE(head.response.body.empty()) << target << " " << coding;
            EXPECT_TRUE(head.closed_by_server) << target << " " << coding;
            for (const char* name : {"Content-Type", "Content-Encoding", "ETag", "Vary", "Cache-Control",
                                     "Cross-Origin-Embedder-Policy", "Connection"})
                EXPECT_EQ(head.response.header(name), get.response.header(name))
                    << name << " " << target << " " << coding;
        }
    }
}

// Every response ends its connection, so every response must say so: a
// client that keeps connections (Node's default agent) would otherwise
// reuse one the gateway has already closed.
TEST_F(Precompressed, EveryResponseAnnouncesTheCloseAndCloses) {
    const std::string etag = get("/app.js", {"Accept-Encoding: br"}).header("ETag");
    ASSERT_FALSE(etag.empty());
    struct Case {
        std::string request;
        int status;
    };
    const std::vector<Case> cases{
        {keep_alive_request("GET", "/app.js", "Accept-Encoding: br\r\n"), 200},
        {keep_alive_request("GET", "/app.js"), 200},
        {keep_alive_request("GET", "/small.txt"), 200},
        {keep_alive_request("HEAD", "/app.js"), 200},
        {keep_alive_request("GET", "/app.js", "Accept-Encoding: br\r\nIf-None-Match: " + etag + "\r\n"), 304},
        {keep_alive_request("GET", "/nope.js"), 404},
        {keep_alive_request("GET", "/../etc/passwd"), 403},
        {keep_alive_request("GET", "/healthz"), 200},
        {keep_alive_request("HEAD", "/healthz"), 200},
        {keep_alive_request("GET", "/metrics"), 200},
        {keep_alive_request("GET", "/api/info"), 200},
        {keep_alive_request("GET", "/ws"), 426},
        {keep_alive_request("POST", "/healthz", "Content-Length: 0\r\n"), 405},
        {handshake(gw_->port(), kOffer + "Origin: http://evil.example\r\n"), 403},
    };
    for (const auto& c : cases) {
        const std::string first_line = c.request.substr(0, c.request.find('\r'));
        const auto x = exchange(gw_->port(), c.request);
        EXPECT_EQ(x.response.status, c.status) << first_line;
        EXPECT_EQ(x.response.header("Connection"), "close") << first_line;
        EXPECT_TRUE(x.closed_by_server) << first_line << ": the connection should end after the response";
        if (c.status != 304 && c.request.rfind("HEAD", 0) != 0) {
            EXPECT_EQ(x.response.header("Content-Length"), std::to_string(x.response.body.size())) << first_line;
        }
    }
}

// What issue 10 saw: Node's default agent keeps connections, so without
// Connection: close it sent every second request down a closed one.
TEST_F(Precompressed, KeepAliveAgentGetsEveryResponse) {
    const auto script = root_.parent_path() / ("sockgate-agent-" + std::to_string(::getpid()) + ".js");
    std::ofstream(script) << R"(
const http = require('http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const port = Number(process.argv[2]);
const get = (path, method) => new Promise((resolve, reject) => {
  const req = http.request({ host: '127.0.0.1', port, path, method, agent }, (res) => {
    let n = 0;
    res.on('data', (c) => { n += c.length; });
    res.on('end', () => resolve(res.statusCode + ':' + n));
  });
  req.on('error', reject);
  req.end();
});
(async () => {
  const out = [];
  for (const path of ['/app.js', '/healthz', '/small.txt', '/app.js', '/nope', '/small.txt'])
    out.push(await get(path, 'GET'));
  out.push(await get('/app.js', 'HEAD'));
  out.push(await get('/small.txt', 'GET'));
  console.log(out.join(' '));
})().catch((e) => { console.log('failed: ' + e.message); process.exit(1); });
)";
    const std::string command =
        std::string(SOCKGATE_NODE_BIN) + " '" + script.string() + "' " + std::to_string(gw_->port()) + " 2>&1";
    std::string output;
    if (FILE* p = popen(command.c_str(), "r")) {
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
        EXPECT_EQ(pclose(p), 0) << output;
    }
    std::filesystem::remove(script);
    const std::string app = std::to_string(original_.size());
    EXPECT_EQ(output, "200:" + app + " 200:" + std::to_string(get("/healthz").body.size()) + " 200:4 200:" + app +
                          " 404:" + std::to_string(get("/nope").body.size()) + " 200:4 200:0 200:4\n");
}

TEST(Http, SlowReaderIsClosedAfterTheSendDeadline) {
    const auto root = make_web_root();
    std::string big(16 << 20, 'x');  // more than the kernel buffers on both ends hold
    std::ofstream(root / "big.bin", std::ios::binary) << big;
    GatewayProcess gw({"--web-root", root.string(), "--http-send-timeout-ms", "1000"});
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(gw.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const std::string req = keep_alive_request("GET", "/big.bin");
    ASSERT_EQ(send(fd, req.data(), req.size(), MSG_NOSIGNAL), ssize_t(req.size()));
    // Watch for the end of the connection without reading, which would be progress.
    const auto start = std::chrono::steady_clock::now();
    bool closed = false;
    while (!closed && std::chrono::steady_clock::now() - start < 10s) {
        pollfd p{fd, POLLRDHUP, 0};
        closed = poll(&p, 1, 50) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
    }
    const auto waited = std::chrono::steady_clock::now() - start;
    close(fd);
    EXPECT_TRUE(closed) << "a client that reads nothing keeps its connection";
    EXPECT_GE(waited, 900ms) << "closed before the deadline";
    EXPECT_EQ(gw.metric("sockgate_http_send_timeouts_total"), 1);
    EXPECT_EQ(gw.metric("sockgate_http_file_responses"), 0);
    EXPECT_EQ(gw.get("/index.html").status, 200) << "the gateway still serves others";
    EXPECT_EQ(gw.stop(), 0) << "the gateway did not stop cleanly";
    std::filesystem::remove_all(root);
}

TEST(Http, HealthzReportsStatusVersionAndCounts) {
    GatewayProcess gw;
    const auto r = gw.get("/healthz");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    const auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j.at("status"), "ok");
    EXPECT_EQ(j.at("version"), SOCKGATE_VERSION);
    EXPECT_EQ(j.at("sessions"), 0);
    EXPECT_EQ(j.at("sockets"), 0);
}

TEST(Http, MetricsAreInPrometheusTextFormat) {
    GatewayProcess gw;
    const auto r = gw.get("/metrics");
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(r.header("Content-Type").find("text/plain; version=0.0.4"), std::string::npos);
    for (const char* name :
         {"sockgate_sessions", "sockgate_sockets{kind=\"tcp\"}", "sockgate_sockets{kind=\"udp\"}",
          "sockgate_sockets{kind=\"listener\"}", "sockgate_bytes_relayed_total{direction=\"to_client\"}",
          "sockgate_bytes_relayed_total{direction=\"from_client\"}",
          "sockgate_datagrams_relayed_total{direction=\"to_client\"}",
          "sockgate_datagrams_dropped_total{direction=\"to_client\"}", "sockgate_denied_total",
          "sockgate_protocol_errors_total", "sockgate_tcp_accepted_total"}) {
        EXPECT_EQ(metric(r.body, name), 0) << name;
    }
    EXPECT_NE(r.body.find("# TYPE sockgate_bytes_relayed_total counter"), std::string::npos);
    EXPECT_GT(metric(r.body, "process_resident_memory_bytes"), 1 << 20) << "a running process holds over 1 MiB";
}

TEST(Http, InfoDescribesPolicyLimitsAndDemo) {
    GatewayProcess gw({"--allow", "tcp:127.0.0.1/32:7-9", "--max-sockets", "5"});
    const auto r = gw.get("/api/info");
    ASSERT_EQ(r.status, 200);
    const auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j.at("policy").at("allow"), nlohmann::json::array({"tcp:127.0.0.1/32:7-9"}));
    EXPECT_FALSE(j.at("policy").at("summary").empty());
    EXPECT_EQ(j.at("limits").at("sockets"), 5);
    EXPECT_EQ(j.at("demo").at("port"), gw.demo_port());
    EXPECT_EQ(j.at("token_required"), false);
    EXPECT_EQ(j.at("protocol"), "sockgate.v1");
}

TEST(Http, StaticFilesCarryContentTypesAndIsolationHeaders) {
    const auto root = make_web_root();
    GatewayProcess gw({"--web-root", root.string()});
    const auto index = gw.get("/");
    ASSERT_EQ(index.status, 200);
    EXPECT_EQ(index.body, "<!doctype html><title>sockgate test</title>");
    EXPECT_EQ(index.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(index.header("Cross-Origin-Opener-Policy"), "same-origin");
    EXPECT_EQ(index.header("Cross-Origin-Embedder-Policy"), "require-corp");

    const auto wasm = gw.get("/app.wasm");
    ASSERT_EQ(wasm.status, 200);
    EXPECT_EQ(wasm.header("Content-Type"), "application/wasm");
    EXPECT_EQ(wasm.body.size(), 8u);

    EXPECT_EQ(gw.get("/sub/").body, "sub index");
    const auto missing = gw.get("/nope.js");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.header("Cross-Origin-Embedder-Policy"), "require-corp");  // on every response
    std::filesystem::remove_all(root);
}

TEST(Http, PathTraversalNeverLeavesTheWebRoot) {
    const auto root = make_web_root();
    GatewayProcess gw({"--web-root", root.string()});
    for (const char* target : {"/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/sub/../../etc/passwd",
                               "/..%2f..%2fetc%2fpasswd", "/%2e%2e%5cetc%5cpasswd"}) {
        const auto r = gw.get(target);
        EXPECT_TRUE(r.status == 403 || r.status == 404 || r.status == 400) << target << " -> " << r.status;
        EXPECT_EQ(r.body.find("root:"), std::string::npos) << target;
    }
    std::filesystem::remove_all(root);
}

TEST(Http, NonGetMethodsAreRefused) {
    GatewayProcess gw;
    const auto r =
        gw.request("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(r.status, 405);
}

TEST(Handshake, SameOriginBrowserIsAccepted) {
    GatewayProcess gw;
    const auto r =
        gw.request(handshake(gw.port(), kOffer + "Origin: http://127.0.0.1:" + std::to_string(gw.port()) + "\r\n"));
    EXPECT_EQ(r.status, 101);
    EXPECT_EQ(r.header("Sec-WebSocket-Protocol"), "sockgate.v1");
}

TEST(Handshake, ClientWithoutOriginIsAccepted) {
    GatewayProcess gw;
    EXPECT_EQ(gw.request(handshake(gw.port(), kOffer)).status, 101);
}

TEST(Handshake, ForeignOriginIsRefusedWith403) {
    GatewayProcess gw;
    const auto r = gw.request(handshake(gw.port(), kOffer + "Origin: http://evil.example\r\n"));
    EXPECT_EQ(r.status, 403);
    EXPECT_NE(r.body.find("origin"), std::string::npos);
    EXPECT_EQ(gw.metric("sockgate_handshakes_refused_total"), 1);
}

TEST(Handshake, DnsRebindingNameIsNotSameOrigin) {
    GatewayProcess gw;
    const std::string host = "rebind.example:" + std::to_string(gw.port());
    const auto r = gw.request(handshake(gw.port(), kOffer + "Origin: http://" + host + "\r\n", host));
    EXPECT_EQ(r.status, 403);
}

TEST(Handshake, OriginAllowedWithFlagIsAccepted) {
    GatewayProcess gw({"--origin", "https://class.example"});
    EXPECT_EQ(gw.request(handshake(gw.port(), kOffer + "Origin: https://class.example\r\n")).status, 101);
    EXPECT_EQ(gw.request(handshake(gw.port(), kOffer + "Origin: https://other.example\r\n")).status, 403);
}

TEST(Handshake, MissingSubprotocolIsRefusedWith400) {
    GatewayProcess gw;
    const auto r = gw.request(handshake(gw.port(), ""));
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("sockgate.v1"), std::string::npos);
}

TEST(Handshake, WebSocketOnOtherPathIsRefused) {
    GatewayProcess gw;
    std::string req = handshake(gw.port(), kOffer);
    req.replace(req.find("/ws"), 3, "/other");
    EXPECT_EQ(gw.request(req).status, 404);
}

TEST(Handshake, PlainGetOnWsAsksForUpgrade) {
    GatewayProcess gw;
    EXPECT_EQ(gw.get("/ws").status, 426);
}

TEST(Startup, HelpListsEveryFlag) {
    const auto r = run_gateway({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    for (const char* flag :
         {"--listen", "--web-root", "--no-demo", "--allow", "--bind-allow", "--origin", "--token", "--insecure-no-auth",
          "--max-sessions", "--max-sockets", "--max-listeners", "--max-frame", "--window", "--connect-timeout-ms",
          "--udp-queue", "--http-send-timeout-ms", "--config", "--tls-cert", "--tls-key"})
        EXPECT_NE(r.output.find(flag), std::string::npos) << flag;
}

TEST(Startup, NonLoopbackListenWithoutTokenRefusesToStart) {
    const auto r = run_gateway({"--listen", "0.0.0.0:0", "--no-demo"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("--token"), std::string::npos);
    EXPECT_EQ(r.output.find("listening on"), std::string::npos);
}

TEST(Startup, BadFlagGivesClearErrorAndExitCode2) {
    const auto r = run_gateway({"--allow", "tcp:not-an-address:80"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("not-an-address"), std::string::npos);
}

TEST(Startup, PortInUseIsReported) {
    GatewayProcess first;
    const auto r = run_gateway({"--listen", "127.0.0.1:" + std::to_string(first.port()), "--no-demo"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("cannot start"), std::string::npos);
}

TEST(Startup, ConfigFileSetsOptionsAndFlagsOverrideIt) {
    const auto path =
        std::filesystem::temp_directory_path() / ("sockgate-config-" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << R"({"max_sessions": 1, "origin": ["https://from-config.example"]})";
    GatewayProcess gw({"--config", path.string()});
    EXPECT_EQ(gw.request(handshake(gw.port(), kOffer + "Origin: https://from-config.example\r\n")).status, 101);
    std::filesystem::remove(path);
}

TEST(Startup, TermSignalStopsCleanly) {
    GatewayProcess gw;
    EXPECT_EQ(gw.stop(), 0);
}
