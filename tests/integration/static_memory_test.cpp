// Static files stay cheap under a burst: many clients downloading the same
// large files at once share one copy of each (issue 10, item 5), a client
// that never reads holds no copy of its own, and the memory a burst used is
// given back once it is over. The cache that makes the sharing possible is
// tested alone at the end.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gateway/file_cache.hpp"
#include "support/gateway_process.hpp"
#include "support/non_reader.hpp"
#include "support/read_file.hpp"
#include "support/test_dir.hpp"
#include "support/wait.hpp"

using namespace sockgate::testing;
using namespace std::chrono_literals;

namespace {

constexpr size_t kBigFile = 1 << 20;   // like the playground's app bundle
constexpr size_t kHugeFile = 8 << 20;  // like Pyodide's wasm
constexpr int kBigClients = 400;
constexpr int kHugeClients = 40;
constexpr long long kMaxGrowth = 32ll << 20;    // while all of them wait
constexpr long long kMaxLeftOver = 16ll << 20;  // once they have gone

const char* kInFlight = "sockgate_http_file_responses";
const char* kStarted = "sockgate_http_file_responses_total";
const char* kSessions = "sockgate_sessions";

std::string random_bytes(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::string out(n, '\0');
    for (auto& c : out) c = char(rng());
    return out;
}

class StaticMemory : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = std::make_unique<TestDir>("web-mem");
        root_->write("big.js", random_bytes(kBigFile, 1));
        root_->write("huge.wasm", random_bytes(kHugeFile, 2));
        // The burst is far above the default connection caps on purpose: this
        // measures what each served download costs, not the caps.
        gw_ = std::make_unique<GatewayProcess>(std::vector<std::string>{"--web-root", root_->path().string(),
                                                                        "--max-http-connections", "2000",
                                                                        "--max-connections-per-address", "2000"});
    }
    void TearDown() override {
        if (gw_) {
            EXPECT_TRUE(gw_->alive()) << "the gateway died during the test";
            EXPECT_EQ(gw_->stop(), 0) << "the gateway did not stop cleanly";
        }
        gw_.reset();
    }
    long long rss() const { return gw_->metric("process_resident_memory_bytes"); }

    std::unique_ptr<TestDir> root_;
    std::unique_ptr<GatewayProcess> gw_;
};

}  // namespace

TEST_F(StaticMemory, LargeFileArrivesByteForByte) {
    const std::string expected = read_file(*root_ / "huge.wasm");
    ASSERT_EQ(expected.size(), kHugeFile);
    for (int i = 0; i < 2; ++i) {  // the first read fills the cache, the second is served from it
        const auto r = gw_->get("/huge.wasm");
        ASSERT_EQ(r.status, 200);
        EXPECT_EQ(r.header("Content-Length"), std::to_string(kHugeFile));
        EXPECT_EQ(r.header("Content-Type"), "application/wasm");
        ASSERT_EQ(r.body.size(), expected.size());
        EXPECT_TRUE(r.body == expected) << "the body differs from the file";
    }
    // Several downloads interleaved on the gateway's one thread.
    std::vector<std::thread> readers;
    std::vector<std::string> bodies(4);
    for (size_t i = 0; i < bodies.size(); ++i)
        readers.emplace_back([&, i] { bodies[i] = gw_->get(i % 2 ? "/huge.wasm" : "/big.js").body; });
    for (auto& t : readers) t.join();
    const std::string big = read_file(*root_ / "big.js");
    for (size_t i = 0; i < bodies.size(); ++i) EXPECT_TRUE(bodies[i] == (i % 2 ? expected : big)) << i;
}

TEST_F(StaticMemory, BurstOfNonReadingClientsSharesOneCopyAndMemoryComesBack) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "AddressSanitizer's redzones and quarantine make resident memory meaningless here";
#endif
    // Files already read once, as on a gateway that has served the page: the
    // cached copies belong to the baseline, not to the burst.
    ASSERT_EQ(gw_->get("/big.js").body.size(), kBigFile);
    ASSERT_EQ(gw_->get("/huge.wasm").body.size(), kHugeFile);
    const long long baseline = rss();
    ASSERT_GT(baseline, 0);
    const long long started_before = gw_->metric(kStarted);

    // Sessions opened during the burst and kept after it, as on a playground
    // in use: what they allocate lands among the burst's memory.
    std::vector<std::unique_ptr<NonReader>> clients, sessions;
    for (int i = 0; i < kBigClients + kHugeClients; ++i) {
        clients.push_back(std::make_unique<NonReader>(gw_->port(), i < kBigClients ? "/big.js" : "/huge.wasm"));
        ASSERT_TRUE(clients.back()->sent()) << "client " << i;
        if (i % 100 == 99) sessions.push_back(std::make_unique<NonReader>(gw_->port()));
    }
    const auto session_count = static_cast<long long>(sessions.size());
    ASSERT_EQ(gw_->wait_for_metric(kSessions, session_count), session_count);
    // Every client is being served once the gateway has started all their
    // responses; the kernel takes whole small ones, the rest stay in flight.
    const long long clients_total = kBigClients + kHugeClients;
    long long peak = baseline;
    long long started = -1;
    wait_until(
        [&] {
            const std::string m = gw_->metrics();
            started = metric(m, kStarted) - started_before;
            peak = std::max(peak, metric(m, "process_resident_memory_bytes"));
            return started == clients_total;
        },
        8s);
    const long long in_flight = gw_->metric(kInFlight);
    peak = std::max(peak, rss());
    EXPECT_EQ(started, clients_total) << kStarted << " should count every response started";
    EXPECT_LT(peak - baseline, kMaxGrowth)
        << "resident memory grew from " << baseline << " to " << peak << " bytes for " << kBigClients << " x "
        << kBigFile << " + " << kHugeClients << " x " << kHugeFile << " bytes being sent";

    clients.clear();
    long long after = rss();
    wait_until(
        [&] {
            const std::string m = gw_->metrics();
            after = metric(m, "process_resident_memory_bytes");
            return metric(m, kInFlight) == 0 && after - baseline < kMaxLeftOver;
        },
        10s);
    EXPECT_EQ(gw_->metric(kInFlight), 0);
    EXPECT_LT(after - baseline, kMaxLeftOver) << "resident memory was " << baseline << " bytes before the burst, "
                                              << peak << " at its height and still " << after << " after it";
    std::cout << "[ figures  ] " << in_flight << " responses in flight; resident memory: baseline " << baseline
              << ", peak " << peak << ", after " << after << " bytes\n";
}

TEST_F(StaticMemory, ChangedFileIsServedFresh) {
    ASSERT_EQ(gw_->get("/big.js").body.size(), kBigFile);    // now cached
    const std::string replaced = random_bytes(kBigFile, 3);  // same size
    root_->write("big.js", replaced);
    EXPECT_TRUE(gw_->get("/big.js").body == replaced) << "rewritten in place";
    std::filesystem::rename(root_->write("next.js", "next"), *root_ / "big.js");
    EXPECT_EQ(gw_->get("/big.js").body, "next") << "replaced by a rename";
}

namespace {

using sockgate::gateway::FileCache;

class FileCacheTest : public ::testing::Test {
protected:
    std::string put(const std::string& name, const std::string& bytes) { return dir_.write(name, bytes); }
    TestDir dir_{"cache"};
};

}  // namespace

TEST_F(FileCacheTest, OneVersionIsReadOnceAndShared) {
    FileCache cache;
    const auto path = put("a.js", "alpha");
    const auto first = cache.get(path);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->bytes, "alpha");
    EXPECT_EQ(cache.get(path), first);
    EXPECT_EQ(cache.kept_bytes(), 5u);
}

TEST_F(FileCacheTest, ChangedFileIsReadAgainAndResponsesUnderWayKeepTheirs) {
    FileCache cache;
    const auto path = put("a.js", "alpha");
    const auto old = cache.get(path);
    put("a.js", "beta!");  // same size; the version still differs
    std::filesystem::last_write_time(path, std::filesystem::last_write_time(path) + std::chrono::seconds(1));
    const auto fresh = cache.get(path);
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->bytes, "beta!");
    EXPECT_EQ(old->bytes, "alpha");
    EXPECT_EQ(cache.kept_bytes(), 5u) << "only the current version counts";
}

TEST_F(FileCacheTest, BudgetEvictsTheLeastRecentlyUsed) {
    FileCache cache(10);
    const auto a = put("a", "aaaa"), b = put("b", "bbbb"), c = put("c", "cccc");
    std::weak_ptr<const sockgate::gateway::CachedFile> weak_a = cache.get(a), weak_b = cache.get(b);
    cache.get(a);  // a is now the more recent
    cache.get(c);
    EXPECT_EQ(cache.kept_bytes(), 8u);
    EXPECT_FALSE(weak_a.expired());
    EXPECT_TRUE(weak_b.expired());
}

TEST_F(FileCacheTest, FileOverTheBudgetIsSharedOnlyWhileHeld) {
    FileCache cache(4);
    const auto path = put("big", "12345678");
    auto first = cache.get(path);
    ASSERT_TRUE(first);
    EXPECT_EQ(cache.get(path), first) << "a second response shares the first one's copy";
    EXPECT_EQ(cache.kept_bytes(), 0u);
    std::weak_ptr<const sockgate::gateway::CachedFile> weak = first;
    first.reset();
    EXPECT_TRUE(weak.expired());
}

TEST_F(FileCacheTest, MissingOrUnreadableGivesNothing) {
    FileCache cache;
    EXPECT_FALSE(cache.get((dir_ / "none").string()));
    EXPECT_FALSE(cache.get(dir_.path().string())) << "a directory";
    const auto path = put("gone", "x");
    ASSERT_TRUE(cache.get(path));
    std::filesystem::remove(path);
    EXPECT_FALSE(cache.get(path));
}
