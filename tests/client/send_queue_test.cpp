#include <gtest/gtest.h>

#include "protocol/frame.hpp"
#include "wasm/core/send_queue.hpp"

namespace sockgate::client {
namespace {

TEST(SendQueue, FramesSpanChunksAndKeepOrder) {
    SendQueue q;
    q.append("abc");
    q.append("");
    q.append("defgh");
    q.append("ij");
    EXPECT_EQ(q.size(), 10u);

    std::string out;
    while (!q.empty()) {
        const std::string frame = q.take_frame(7, 4);
        const auto r = proto::decode_frame(frame);
        ASSERT_TRUE(r);
        EXPECT_EQ(r.frame.kind, proto::FrameKind::data);
        EXPECT_EQ(r.frame.sock, 7u);
        EXPECT_LE(r.frame.payload.size(), 4u);
        out.append(r.frame.payload);
    }
    EXPECT_EQ(out, "abcdefghij");
}

TEST(SendQueue, ClearEmpties) {
    SendQueue q;
    q.append("xyz");
    (void)q.take_frame(1, 1);
    q.clear();
    EXPECT_TRUE(q.empty());
    q.append("k");
    EXPECT_EQ(proto::decode_frame(q.take_frame(1, 10)).frame.payload, "k");
}

}  // namespace
}  // namespace sockgate::client
