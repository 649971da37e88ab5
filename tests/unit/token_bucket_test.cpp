#include "gateway/token_bucket.hpp"

#include <gtest/gtest.h>

using sockgate::gateway::TokenBucket;
using namespace std::chrono_literals;

TEST(TokenBucket, ZeroRateIsUnlimited) {
    TokenBucket b(0);
    b.take(1u << 30);
    EXPECT_TRUE(b.ready());
    EXPECT_EQ(b.wait(), TokenBucket::Clock::duration::zero());
}

TEST(TokenBucket, StartsFullAndAnOverdraftWaitsForTheDebtToBeRepaid) {
    const auto t0 = TokenBucket::Clock::now();
    TokenBucket b(1000, 1000);
    EXPECT_TRUE(b.ready(t0));
    b.take(3000, t0);  // one take may overdraw: 2000 in debt
    EXPECT_FALSE(b.ready(t0));
    const auto wait = b.wait(t0);
    EXPECT_GT(wait, 1990ms);
    EXPECT_LT(wait, 2010ms);
    EXPECT_FALSE(b.ready(t0 + 1900ms));
    EXPECT_TRUE(b.ready(t0 + 2100ms));
}

TEST(TokenBucket, SavesUpNoMoreThanItsBurst) {
    const auto t0 = TokenBucket::Clock::now();
    TokenBucket b(100, 50);
    b.take(50, t0);
    EXPECT_FALSE(b.ready(t0));
    // An hour idle saves only the burst: 50 tokens, so taking 60 leaves a debt.
    b.take(60, t0 + 1h);
    EXPECT_FALSE(b.ready(t0 + 1h));
    EXPECT_TRUE(b.ready(t0 + 1h + 200ms));
}

TEST(TokenBucket, AverageRateHoldsOverManyTakes) {
    auto now = TokenBucket::Clock::now();
    TokenBucket b(1000, 100);
    uint64_t taken = 0;
    const auto start = now;
    while (taken < 10000) {
        now += b.wait(now);
        b.take(70, now);
        taken += 70;
    }
    const double seconds = std::chrono::duration<double>(now - start).count();
    EXPECT_NEAR(double(taken) / seconds, 1000.0, 50.0);
}
