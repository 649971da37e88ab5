#include "soak/hostile_clients.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>
#include <random>

#include "soak/payload.hpp"
#include "support/blocking_client.hpp"
#include "support/gateway_process.hpp"
#include "support/native_peers.hpp"
#include "support/raw_websocket.hpp"

namespace sockgate::soak {
namespace {

using namespace std::chrono_literals;
using testing::Fd;
using testing::RawWebSocket;
using Clock = std::chrono::steady_clock;

const std::string kHello = R"({"op":"hello","id":1,"version":1})";

// Other loopback source addresses than the sessions' 127.0.0.1, so that the
// per-address cap these clients run into is not the sessions' own.
constexpr const char* kHoarderAddress = "127.0.0.2";
constexpr const char* kStaticAddress = "127.0.0.3";
// Sizes of the misbehaviour: enough to reach each limit, small enough to
// repeat many times in a run.
constexpr int kBurst = 60;  // more than the spare session slots (soak_main.cpp)
constexpr int kStaticConnections = 20;
constexpr int kDropperConnects = 20;
// Longest a non-reading session may go on before the gateway closes it.
constexpr auto kNonReaderDeadline = 90s;

// A TCP connection to the gateway from `source` (a loopback address);
// a receive buffer other than 0 is set first.
Fd connect_from(const char* source, uint16_t port, int receive_buffer = 0) {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (receive_buffer > 0) setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source, &from.sin_addr);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) return {};
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) return {};
    return fd;
}

// The status of the gateway's answer to GET target on a new connection
// from `source`; 0 when none came.
int get_status_from(const char* source, uint16_t port, const std::string& target) {
    Fd fd = connect_from(source, port);
    if (!fd) return 0;
    if (!testing::write_all(fd, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
        return 0;
    const std::string head = testing::read_exactly(fd, 12, 5s);  // "HTTP/1.1 503"
    return head.size() == 12 ? std::atoi(head.c_str() + 9) : 0;
}

std::string be32(uint32_t n) { return {char(n >> 24), char(n >> 16), char(n >> 8), char(n)}; }

}  // namespace

HostileClients::HostileClients(Tally& tally, Peers& peers, uint16_t gateway_port, GatewayLimits limits,
                               const std::string& big_file_path, uint64_t seed)
    : tally_(tally), peers_(peers), port_(gateway_port), limits_(limits), big_file_(big_file_path), seed_(seed) {}

HostileClients::~HostileClients() { stop(); }

const std::vector<std::string> kHostileNames{"non-reader",        "upgrade-burst", "hoarder",
                                             "static-non-reader", "malformed",     "abrupt-drop"};

void HostileClients::start(const std::vector<std::string>& which) {
    auto wanted = [&](const char* name) {
        return which.empty() || std::find(which.begin(), which.end(), name) != which.end();
    };
    if (wanted("non-reader")) threads_.emplace_back([this] { non_reader(); });
    if (wanted("upgrade-burst")) threads_.emplace_back([this] { upgrade_burst(); });
    if (wanted("hoarder")) threads_.emplace_back([this] { hoarder(); });
    if (wanted("static-non-reader")) threads_.emplace_back([this] { static_non_reader(); });
    if (wanted("malformed")) threads_.emplace_back([this] { malformed(); });
    if (wanted("abrupt-drop")) threads_.emplace_back([this] { abrupt_drop(); });
}

void HostileClients::stop() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
}

bool HostileClients::pace(Ms d) {
    const auto until = Clock::now() + d;
    while (!stop_ && Clock::now() < until) std::this_thread::sleep_for(20ms);
    return !stop_;
}

// Sends requests and never reads the replies: the gateway must stop reading
// it once --max-outbound is queued, and close it after --outbound-stall-ms.
// A send that blocks may also mean a gateway busy with the churn, or one
// that holds this client's requests in its inbox and works through them a
// turn at a time, behind every other session (the queue of replies reaches
// --max-outbound only then). So the verdict is the gateway's own count of
// sessions it closed for not reading, watched without reading from the
// connection (which would unstall it), for well beyond the stall time.
void HostileClients::non_reader() {
    while (!stop_) {
        RawWebSocket ws(port_, 4096);
        if (!ws.upgrade()) {  // 503 while a burst holds the slots: try again
            pace(100ms);
            continue;
        }
        if (!ws.send_text(kHello)) {
            tally_.fail("hostile non-reader", "hello not accepted");
            pace(1s);
            continue;
        }
        const long long closed_before = closed_for_not_reading();
        const auto deadline = Clock::now() + kNonReaderDeadline;
        bool closed = false;
        int id = 2;
        while (!closed && !stop_ && Clock::now() < deadline) {
            if (ws.send_text(R"({"op":"close","id":)" + std::to_string(id++) + R"(,"sock":4000000})", 1000ms)) continue;
            const auto verdict = Clock::now() + limits_.outbound_stall + 30s;
            while (!stop_ && Clock::now() < verdict && !closed) {
                closed = closed_for_not_reading() > closed_before;
                if (!closed) std::this_thread::sleep_for(100ms);
            }
        }
        if (stop_) return;
        if (!closed) {
            tally_.fail("hostile non-reader",
                        "not closed for not reading after " + std::to_string(ws.bytes_sent()) + " bytes of requests");
        } else if (!ws.wait_closed(5s)) {
            tally_.fail("hostile non-reader", "counted as closed for not reading, but the connection stayed open");
        } else {
            tally_.add(Count::hostile_non_reader);
        }
    }
}

long long HostileClients::closed_for_not_reading() const {
    Fd fd = connect_from("127.0.0.1", port_);
    if (!fd || !testing::write_all(fd, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
        return -1;
    const auto response = testing::read_to_eof(fd, 5s);
    return response ? testing::metric(*response, "sockgate_sessions_closed_total{reason=\"not_reading\"}") : -1;
}

// More upgrades at once than there are free session slots: each gets 101 or
// 503, and every upgraded one that never says hello is closed with 1008.
void HostileClients::upgrade_burst() {
    while (!stop_) {
        std::vector<std::unique_ptr<RawWebSocket>> burst;
        for (int i = 0; i < kBurst; ++i) burst.push_back(std::make_unique<RawWebSocket>(port_));
        for (auto& ws : burst)
            if (ws->connected()) ws->send_upgrade();
        std::vector<RawWebSocket*> upgraded;
        for (auto& ws : burst) {
            const int status = ws->connected() ? ws->read_upgrade_status(10s) : 0;
            if (status == 101)
                upgraded.push_back(ws.get());
            else if (status == 503)
                tally_.add(Count::hostile_upgrades_refused);
            else
                tally_.fail("hostile upgrade burst", "upgrade answered " + std::to_string(status));
        }
        for (RawWebSocket* ws : upgraded) {
            std::optional<testing::WsFrame> f;
            do f = ws->read_frame(limits_.hello_timeout + 5s);
            while (f && f->opcode != 8);
            if (!f)
                tally_.fail("hostile upgrade burst", "a session without hello was not closed in time");
            else if (f->close_code() != 1008)
                tally_.fail("hostile upgrade burst", "no-hello session closed with " + std::to_string(f->close_code()));
            else
                tally_.add(Count::hostile_no_hello);
        }
        tally_.add(Count::hostile_upgrade_burst);
        pace(1s);
    }
}

// Idle connections from one address up to its cap: the next one from that
// address gets 503.
void HostileClients::hoarder() {
    while (!stop_) {
        std::vector<Fd> hoard;
        for (uint32_t i = 0; i < limits_.max_connections_per_address; ++i) {
            Fd fd = connect_from(kHoarderAddress, port_);
            if (fd) hoard.push_back(std::move(fd));
        }
        // The gateway counts a connection once it has accepted it.
        const auto deadline = Clock::now() + 15s;
        int status = 0;
        while (!stop_ && status != 503 && Clock::now() < deadline)
            status = get_status_from(kHoarderAddress, port_, "/healthz");
        if (stop_) return;
        // The gateway closes a connection that sends no request within its
        // handshake timeout, and refuses any beyond its overall cap; when the
        // churn makes the hoard slow to build, part of it may be gone before
        // the last arrives, and then the request is rightly served. Only a
        // full hoard must be refused.
        // A hoarded connection holds its place while the gateway has said
        // nothing on it; one with something to read was refused (503 when the
        // gateway's overall cap was reached first) or closed.
        const size_t still_open = size_t(std::count_if(hoard.begin(), hoard.end(), [](const Fd& fd) {
            pollfd p{fd.get(), POLLIN, 0};
            return poll(&p, 1, 0) == 0;
        }));
        if (status == 503)
            tally_.add(Count::hostile_hoarder);
        else if (still_open >= limits_.max_connections_per_address)
            tally_.fail("hostile hoarder", "connection past --max-connections-per-address answered " +
                                               std::to_string(status) + ", not 503");
        pace(2s);
    }
}

// Requests for a large static file whose answers are never read.
void HostileClients::static_non_reader() {
    while (!stop_) {
        std::vector<Fd> stuck;
        for (int i = 0; i < kStaticConnections; ++i) {
            Fd fd = connect_from(kStaticAddress, port_, 4096);
            if (fd && testing::write_all(fd, "GET /" + big_file_ + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
                stuck.push_back(std::move(fd));
        }
        if (!pace(3s)) return;
        tally_.add(Count::hostile_static_non_reader);
    }
}

// A session that sends malformed frames and messages between good requests;
// the gateway answers each with an error and the session goes on working.
void HostileClients::malformed() {
    std::unique_ptr<client::BlockingClient> c;
    int64_t id = 1000;
    std::mt19937_64 rng(mix(seed_ ^ 0x6d616c66));
    while (!stop_) {
        if (!c || !c->session_open()) {
            c = std::make_unique<client::BlockingClient>();
            if (!c->start("ws://127.0.0.1:" + std::to_string(port_) + "/ws")) {
                c.reset();
                pace(100ms);  // 503 while a burst holds the slots
                continue;
            }
        }
        const std::string n = std::to_string(++id);
        c->send_raw_text(R"({"op":"connect","id":)" + n + R"(,"proto":"tcp","host":"127.0.0.1","port":1e400})");
        c->send_raw_text(R"({"op":"close","id":1e400,"sock":1})");
        c->send_raw_text(R"({"op":"connect","id":)" + n + R"(,"proto":"tcp","host":"127.0.0.1","port":80.0})");
        c->send_raw_text(R"({"op":")" + std::string(4000, 'x') + R"(","id":)" + n + "}");
        c->send_raw_text("{not json");
        c->send_raw_text("[1,2,3]");
        c->send_raw_text(R"({"op":"close","sock":4000000})");
        c->send_raw_binary(std::string(1, '\x01') + be32(4000000) + "data for nobody");
        c->send_raw_binary(std::string(1, '\x03') + be32(4000001) + be32(100));
        c->send_raw_binary(std::string("\x01\x00\x00", 3));
        c->send_raw_binary(std::string(1, '\x7f') + be32(1) + "zz");
        // Good requests still work after all that.
        auto r = c->resolve("localhost");
        if (!r) {
            const auto closed = c->session_close();
            if (closed)
                tally_.fail("hostile malformed", "the gateway ended the session over malformed input: close code " +
                                                     std::to_string(closed->code) + " " + closed->reason);
            else
                tally_.fail("hostile malformed", "resolve localhost after malformed input: " + r.describe());
            c.reset();
            pace(200ms);
            continue;
        }
        const auto& ports = peers_.echo_ports();
        auto s = c->connect("127.0.0.1", ports[rng() % ports.size()]);
        if (!s) {
            tally_.fail("hostile malformed", "connect after malformed input: " + s.describe());
        } else {
            const std::string data = payload_bytes(1 + rng() % 2048, rng());
            c->send(s->sock, data);
            auto back = c->read_exactly(s->sock, data.size());
            if (!back || *back != data)
                tally_.fail("hostile malformed", "echo after malformed input: " + back.describe());
            c->close(s->sock);
        }
        c->with_core([](client::Client& core) { core.forget_closed(); });
        tally_.add(Count::hostile_malformed);
        pace(200ms);
    }
    if (c) c->close_session();
}

// A session that opens sockets and then vanishes without a closing
// handshake: the gateway must free them all.
void HostileClients::abrupt_drop() {
    while (!stop_) {
        {
            RawWebSocket ws(port_);
            if (!ws.upgrade() || !ws.send_text(kHello)) {
                pace(100ms);
                continue;
            }
            const auto& ports = peers_.echo_ports();
            for (int i = 0; i < kDropperConnects; ++i)
                ws.send_text(R"({"op":"connect","id":)" + std::to_string(i + 2) +
                             R"(,"proto":"tcp","host":"127.0.0.1","port":)" + std::to_string(ports[i % ports.size()]) +
                             "}");
            // Wait for a few replies so some connects are done and some not.
            for (int i = 0; i < 1 + kDropperConnects / 2; ++i)
                if (!ws.read_frame(5s)) break;
        }  // FIN without a close frame
        tally_.add(Count::hostile_abrupt_drop);
        pace(200ms);
    }
}

}  // namespace sockgate::soak
