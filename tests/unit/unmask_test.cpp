// Word-at-a-time unmasking gives exactly what unmasking byte by byte gives,
// however a frame's payload is split across reads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gateway/unmask.hpp"

using sockgate::gateway::unmask_prepared;

namespace {

// The key as websocketpp prepares it: its four bytes repeated across a
// size_t, in memory order.
size_t prepared(const uint8_t key[4]) {
    uint8_t bytes[sizeof(size_t)];
    for (size_t i = 0; i < sizeof bytes; ++i) bytes[i] = key[i % 4];
    size_t out;
    std::memcpy(&out, bytes, sizeof out);
    return out;
}

std::vector<uint8_t> unmask_bytewise(std::vector<uint8_t> data, const uint8_t key[4]) {
    for (size_t i = 0; i < data.size(); ++i) data[i] ^= key[i % 4];
    return data;
}

}  // namespace

TEST(Unmask, MatchesByteWiseUnmaskingForEverySplit) {
    std::mt19937 rng(7);
    for (size_t size : {0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 65536 + 13}) {
        for (int trial = 0; trial < 20; ++trial) {
            uint8_t key[4];
            for (auto& k : key) k = uint8_t(rng());
            std::vector<uint8_t> data(size);
            for (auto& b : data) b = uint8_t(rng());
            const auto expected = unmask_bytewise(data, key);

            // Unaligned start, random chunk sizes, as reads deliver them.
            std::vector<uint8_t> storage(size + 3);
            uint8_t* buf = storage.data() + 3;
            std::copy(data.begin(), data.end(), buf);
            size_t k = prepared(key);
            for (size_t done = 0; done < size;) {
                const size_t chunk = std::min<size_t>(size - done, 1 + rng() % 40);
                k = unmask_prepared(buf + done, chunk, k);
                done += chunk;
            }
            ASSERT_EQ(std::vector<uint8_t>(buf, buf + size), expected) << "size " << size << ", trial " << trial;
        }
    }
}

TEST(Unmask, ReturnsTheKeyRotatedPastTheBytes) {
    const uint8_t key[4] = {0x11, 0x22, 0x33, 0x44};
    uint8_t three[3] = {0, 0, 0};
    const size_t next = unmask_prepared(three, 3, prepared(key));
    uint8_t after[4] = {0, 0, 0, 0};
    unmask_prepared(after, 4, next);
    EXPECT_EQ(after[0], 0x44);
    EXPECT_EQ(after[1], 0x11);
    EXPECT_EQ(after[2], 0x22);
    EXPECT_EQ(after[3], 0x33);
}
