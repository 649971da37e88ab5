// Name lookups must not stall anything but themselves: a DNS server that never
// answers costs the lookups that ask it, by their deadlines, and nothing else.
//
// The test process moves itself into a private mount and network namespace
// (as root), where /etc/resolv.conf names a UDP server on loopback that reads
// queries and answers none until told to, /etc/hosts knows fast.test, and the
// gateways the tests start run there too. Without that (not root, no
// namespaces) the tests that need it skip and say why.
#include "gateway_fixture.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "support/wait.hpp"

using namespace sockgate::testing;
namespace proto = sockgate::proto;
namespace client = sockgate::client;
using Clock = std::chrono::steady_clock;

namespace {

// A DNS server that reads every query and, until answer_all(), answers none;
// after it, every query (and any it held) gets NXDOMAIN.
class SilentDns {
public:
    // Throws std::runtime_error when 127.0.0.1:53 cannot be bound.
    SilentDns() {
        fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(53);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error(std::string("cannot bind 127.0.0.1:53: ") + std::strerror(errno));
        thread_ = std::thread([this] { run(); });
    }
    ~SilentDns() {
        stop_ = true;
        thread_.join();
        close(fd_);
    }

    void go_silent() {
        std::lock_guard lock(m_);
        answering_ = false;
        held_.clear();
    }
    void answer_all() {
        std::lock_guard lock(m_);
        answering_ = true;
        for (const auto& q : held_) reply(q);
        held_.clear();
    }
    size_t queries() const { return queries_; }

private:
    struct Query {
        std::string bytes;
        sockaddr_storage from{};
        socklen_t from_len = 0;
    };

    void run() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 50) <= 0) continue;
            Query q;
            q.bytes.resize(512);
            q.from_len = sizeof q.from;
            const ssize_t n =
                recvfrom(fd_, q.bytes.data(), q.bytes.size(), 0, reinterpret_cast<sockaddr*>(&q.from), &q.from_len);
            if (n < 12) continue;
            q.bytes.resize(size_t(n));
            ++queries_;
            std::lock_guard lock(m_);
            if (answering_)
                reply(q);
            else
                held_.push_back(std::move(q));
        }
    }

    // NXDOMAIN: the query's header and question, flagged as a response.
    void reply(const Query& q) {
        std::string r = q.bytes;
        size_t end = 12;
        while (end < r.size() && r[end] != 0) end += 1 + uint8_t(r[end]);
        end += 1 + 4;  // the root label, QTYPE, QCLASS
        if (end > r.size()) return;
        r.resize(end);
        r[2] = char(0x80 | (r[2] & 0x79));  // QR, opcode and RD kept
        r[3] = char(0x80 | 3);              // RA, RCODE NXDOMAIN
        for (size_t i = 6; i < 12; ++i) r[i] = 0;
        sendto(fd_, r.data(), r.size(), 0, reinterpret_cast<const sockaddr*>(&q.from), q.from_len);
    }

    int fd_ = -1;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<size_t> queries_{0};
    std::mutex m_;
    bool answering_ = false;
    std::vector<Query> held_;
};

// The private namespace, made once per test process before any test (and so
// before any thread) starts.
class PrivateNetwork : public ::testing::Environment {
public:
    void SetUp() override {
        try {
            enter();
            dns_ = std::make_unique<SilentDns>();
        } catch (const std::exception& e) {
            why_not_ = e.what();
        }
    }
    void TearDown() override {
        dns_.reset();
        // The mounts go with the namespace; their sources are no mount points.
        std::error_code ignored;
        if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
    }

    // Empty when the namespace is ready.
    const std::string& why_not() const { return why_not_; }
    SilentDns& dns() { return *dns_; }

private:
    static void require(bool ok, const std::string& what) {
        if (!ok) throw std::runtime_error(what + ": " + std::strerror(errno));
    }

    void enter() {
        if (geteuid() != 0) throw std::runtime_error("needs root (for unshare -m -n)");
        require(unshare(CLONE_NEWNS | CLONE_NEWNET) == 0, "unshare(CLONE_NEWNS | CLONE_NEWNET)");
        // Without this the bind mounts below would show through to the host.
        require(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0, "making / private");

        const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        require(s >= 0, "socket");
        ifreq ifr{};
        std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
        bool up = ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
        ifr.ifr_flags |= IFF_UP;
        up = up && ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
        close(s);
        require(up, "bringing up lo");

        char dir_template[] = "/tmp/sockgate-resolver-XXXXXX";
        require(mkdtemp(dir_template) != nullptr, "mkdtemp");
        dir_ = dir_template;
        // One long attempt keeps an unanswered lookup in getaddrinfo longer
        // than any test runs; names go to DNS unless /etc/hosts has them.
        bind_file("resolv.conf", "nameserver 127.0.0.1\noptions timeout:30 attempts:1\n");
        bind_file("hosts", "127.0.0.1 localhost\n::1 localhost\n127.0.0.1 fast.test\n");
        bind_file("nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n");
    }

    void bind_file(const std::string& name, const std::string& text) {
        const std::string path = dir_ + "/" + name;
        std::ofstream(path) << text;
        const std::string target = "/etc/" + name;
        require(mount(path.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) == 0, "bind-mounting " + target);
    }

    std::string dir_;
    std::string why_not_;
    std::unique_ptr<SilentDns> dns_;
};

PrivateNetwork* const network = static_cast<PrivateNetwork*>(::testing::AddGlobalTestEnvironment(new PrivateNetwork));

constexpr const char* kSilentName = "slow.example";

// Requests sent without waiting, their outcomes collected as they arrive:
// "ok" or the error code, by the order the replies came in. The outcomes
// live as long as the callbacks that record them, which the client may call
// (with ENOTCONN) as it goes away.
class Outstanding {
public:
    explicit Outstanding(BlockingClient& c) : c_(c) {}

    void resolve(const std::string& host) {
        c_.with_core([state = state_, host](client::Client& core) {
            core.resolve(host, [state](client::Result<proto::ResolveReply> r) { state->record(r ? "ok" : r.code()); });
        });
    }
    void connect(const std::string& host, uint16_t port, uint32_t timeout_ms) {
        proto::ConnectRequest req;
        req.host = host;
        req.port = port;
        req.timeout_ms = timeout_ms;
        c_.with_core([state = state_, req](client::Client& core) {
            core.connect(req, [state](client::Result<proto::SocketReply> r) { state->record(r ? "ok" : r.code()); });
        });
    }
    std::vector<std::string> outcomes() const { return state_->outcomes(); }
    bool wait_for(size_t n, std::chrono::milliseconds timeout) {
        return c_.run_until([&] { return outcomes().size() >= n; }, timeout);
    }

private:
    struct State {
        void record(std::string outcome) {
            std::lock_guard lock(m);
            list.push_back(std::move(outcome));
        }
        std::vector<std::string> outcomes() const {
            std::lock_guard lock(m);
            return list;
        }
        mutable std::mutex m;
        std::vector<std::string> list;
    };

    BlockingClient& c_;
    std::shared_ptr<State> state_ = std::make_shared<State>();
};

std::chrono::milliseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

class ResolverTest : public GatewayTest {
protected:
    void SetUp() override {
        if (!network->why_not().empty())
            GTEST_SKIP() << "needs a private mount and network namespace with a silent DNS server, "
                            "which this process cannot make: "
                         << network->why_not();
        dns().go_silent();
    }
    SilentDns& dns() { return network->dns(); }

    // Waits until the silent server holds a query from `before` + `n`.
    void wait_for_queries(size_t before, size_t n = 1) {
        EXPECT_TRUE(wait_until([&] { return dns().queries() >= before + n; }, 5s))
            << "the gateway never asked the DNS server (" << dns().queries() - before << " queries seen)";
    }
};

// The NUL tests do not need the namespace.
using HostNameTest = GatewayTest;

}  // namespace

TEST_F(ResolverTest, NumericConnectDoesNotWaitForStalledLookups) {
    TcpEchoServer echo;
    const size_t before = dns().queries();
    // Each session up to the default per-session cap, from enough sessions
    // to fill every worker and leave lookups queued behind them.
    std::vector<std::unique_ptr<BlockingClient>> stallers;
    std::vector<std::unique_ptr<Outstanding>> pending;
    for (int s = 0; s < 5; ++s) {
        stallers.push_back(client());
        pending.push_back(std::make_unique<Outstanding>(*stallers.back()));
        for (int i = 0; i < 4; ++i) pending.back()->resolve(kSilentName);
    }
    wait_for_queries(before);
    EXPECT_EQ(wait_for_metric("sockgate_lookups_in_flight", 20), 20);

    auto b = client();
    proto::ConnectRequest req;
    req.host = "127.0.0.1";
    req.port = echo.port();
    req.timeout_ms = 3000;
    const auto start = Clock::now();
    auto s = b->connect(req, 6s);
    const auto took = since(start);
    ASSERT_TRUE(s) << s.describe() << " after " << took.count() << " ms";
    EXPECT_LT(took.count(), 1000) << "a numeric connect waited for name lookups";
}

TEST_F(ResolverTest, ConnectByStalledNameTimesOutWithinTimeoutMs) {
    auto c = client();
    proto::ConnectRequest req;
    req.host = kSilentName;
    req.port = 9;
    req.timeout_ms = 1000;
    const auto start = Clock::now();
    auto s = c->connect(req, 10s);
    const auto took = since(start);
    ASSERT_FALSE(s) << "connected to a name nobody resolves";
    EXPECT_EQ(s.code(), "ETIMEDOUT") << s.describe();
    EXPECT_GE(took.count(), 900);
    EXPECT_LT(took.count(), 2000) << "timeout_ms 1000 did not bound the lookup: " << s.describe();
    EXPECT_NE(s.error().message.find("1000 ms"), std::string::npos) << s.describe();
}

TEST_F(ResolverTest, ResolveOfStalledNameTimesOutByItsDeadline) {
    auto c = client();
    const auto start = Clock::now();
    auto r = c->resolve(kSilentName, 10s);
    const auto took = since(start);
    ASSERT_FALSE(r) << "resolved a name nobody answers";
    EXPECT_EQ(r.code(), "ETIMEDOUT") << r.describe();
    // The resolve op's default deadline, with slack for a loaded machine.
    EXPECT_GE(took.count(), 4500);
    EXPECT_LT(took.count(), 7000) << r.describe();
    EXPECT_NE(r.error().message.find("--resolve-timeout-ms"), std::string::npos) << r.describe();
    EXPECT_EQ(metric(metrics(), "sockgate_lookups_timed_out_total"), 1);
}

TEST_F(ResolverTest, LookupsPastThePerSessionCapGetEagainUntilSomeEnd) {
    TcpEchoServer echo;
    const size_t before = dns().queries();
    auto a = client();
    Outstanding pending(*a);
    for (int i = 0; i < 4; ++i) pending.resolve(kSilentName);
    wait_for_queries(before);

    const auto start = Clock::now();
    auto r = a->resolve("fast.test", 3s);
    ASSERT_FALSE(r) << "a fifth lookup was let through";
    EXPECT_EQ(r.code(), "EAGAIN") << r.describe();
    EXPECT_NE(r.error().message.find("--max-lookups"), std::string::npos) << r.describe();
    EXPECT_LT(since(start).count(), 1000);
    auto byname = a->connect("fast.test", echo.port(), 3s);
    EXPECT_EQ(byname.code(), "EAGAIN") << byname.describe();
    auto numeric = a->connect("127.0.0.1", echo.port(), 3s);
    EXPECT_TRUE(numeric) << "numeric connects need no lookup slot: " << numeric.describe();
    EXPECT_EQ(metric(metrics(), "sockgate_lookups_in_flight"), 4);

    dns().answer_all();
    ASSERT_TRUE(pending.wait_for(4, 5s)) << "the lookups did not end once the DNS server answered";
    for (const auto& o : pending.outcomes()) EXPECT_EQ(o, "EAI_NONAME");
    auto again = a->resolve("fast.test", 3s);
    ASSERT_TRUE(again) << again.describe();
    EXPECT_EQ(again->addrs, std::vector<std::string>{"127.0.0.1"});
    EXPECT_EQ(wait_for_metric("sockgate_lookups_in_flight", 0), 0);
}

TEST_F(ResolverTest, ResolvableNameIsAnsweredWhileAnotherSessionsLookupsStall) {
    TcpEchoServer echo;
    const size_t before = dns().queries();
    auto a = client();
    Outstanding pending(*a);
    for (int i = 0; i < 4; ++i) pending.resolve(kSilentName);
    wait_for_queries(before);

    auto b = client();
    auto start = Clock::now();
    auto r = b->resolve("fast.test", 6s);
    ASSERT_TRUE(r) << r.describe() << " after " << since(start).count() << " ms";
    EXPECT_LT(since(start).count(), 1000);
    EXPECT_EQ(r->addrs, std::vector<std::string>{"127.0.0.1"});

    start = Clock::now();
    auto s = b->connect("fast.test", echo.port(), 6s);
    ASSERT_TRUE(s) << s.describe() << " after " << since(start).count() << " ms";
    EXPECT_LT(since(start).count(), 1000);
    EXPECT_TRUE(pending.outcomes().empty());
}

TEST_F(ResolverTest, SessionEndingWithLookupsInFlightIsNotCalledBack) {
    const size_t before = dns().queries();
    {
        auto a = client();
        Outstanding pending(*a);
        for (int i = 0; i < 3; ++i) pending.resolve(kSilentName);
        pending.connect(kSilentName, 9, 60000);
        wait_for_queries(before);
    }
    EXPECT_EQ(wait_for_metric("sockgate_sessions", 0), 0);
    dns().answer_all();
    EXPECT_EQ(wait_for_metric("sockgate_lookups_in_flight", 0, 5s), 0);
    auto b = client();
    auto r = b->resolve("fast.test", 3s);
    EXPECT_TRUE(r) << r.describe();
}

TEST_F(ResolverTest, GatewayStopsPromptlyWithLookupsStuck) {
    GatewayProcess gw;
    const size_t before = dns().queries();
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.ws_url()));
    Outstanding pending(c);
    for (int i = 0; i < 4; ++i) pending.resolve(kSilentName);
    wait_for_queries(before);
    // With no session left the gateway stops at once, unless something
    // waits for the lookups.
    ASSERT_TRUE(c.close_session());
    EXPECT_TRUE(wait_until([&] { return gw.metric("sockgate_sessions") == 0; }, 3s));
    const auto start = Clock::now();
    EXPECT_EQ(gw.stop(), 0);
    EXPECT_LT(since(start).count(), 1500) << "the gateway waited for getaddrinfo to return";
}

TEST_F(HostNameTest, HostWithNulIsEinvalForConnectAndResolve) {
    TcpEchoServer echo;
    auto c = client();
    for (const std::string& host : {std::string("127.0.0.1\0.evil", 15), std::string("example\0", 8)}) {
        auto conn = c->request("connect", {{"proto", "tcp"}, {"host", host}, {"port", echo.port()}}, 3s);
        EXPECT_EQ(conn.code(), "EINVAL") << conn.describe();
        auto res = c->request("resolve", {{"host", host}}, 3s);
        EXPECT_EQ(res.code(), "EINVAL") << res.describe();
    }
    auto ok = c->connect("127.0.0.1", echo.port());
    EXPECT_TRUE(ok) << "the session must go on: " << ok.describe();
}
