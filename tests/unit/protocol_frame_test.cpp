#include "protocol/flow_control.hpp"
#include "protocol/frame.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sockgate::proto {
namespace {

IpAddress ip(const char* text) {
    auto a = IpAddress::parse(text);
    EXPECT_TRUE(a.has_value()) << text;
    return a.value_or(IpAddress{});
}

std::string bytes(std::initializer_list<int> values) {
    std::string out;
    for (int v : values) out += char(uint8_t(v));
    return out;
}

// ---- layout ----

TEST(FrameEncode, DataIsKindThenBigEndianSocketThenPayload) {
    EXPECT_EQ(encode_data(0x01020304, "hi"), bytes({0x01, 0x01, 0x02, 0x03, 0x04, 'h', 'i'}));
}

TEST(FrameEncode, WindowIsKindSocketAndBigEndianIncrement) {
    EXPECT_EQ(encode_window(7, 0x00010000), bytes({0x03, 0, 0, 0, 7, 0x00, 0x01, 0x00, 0x00}));
}

TEST(FrameEncode, Ipv4DatagramCarriesFamilyAddressAndPort) {
    EXPECT_EQ(encode_datagram(1, ip("127.0.0.1"), 0x1F90, "x"),
              bytes({0x02, 0, 0, 0, 1, 4, 127, 0, 0, 1, 0x1F, 0x90, 'x'}));
}

TEST(FrameEncode, Ipv6DatagramCarriesSixteenAddressBytes) {
    const std::string f = encode_datagram(2, ip("::1"), 53, "");
    ASSERT_EQ(f.size(), datagram_header_size(6));
    EXPECT_EQ(f[5], 6);
    EXPECT_EQ(f.substr(6, 16), std::string(15, '\0') + '\1');
    EXPECT_EQ(f.substr(22), bytes({0, 53}));
}

TEST(FrameEncode, DatagramHeaderSizesMatchFamilies) {
    EXPECT_EQ(datagram_header_size(4), 12u);
    EXPECT_EQ(datagram_header_size(6), 24u);
    EXPECT_EQ(kDatagramHeaderMax, datagram_header_size(6));
}

TEST(FrameEncode, WriteFrameHeaderFillsFiveBytes) {
    uint8_t out[6] = {0, 0, 0, 0, 0, 0xAA};
    write_frame_header(out, FrameKind::data, 0xDEADBEEF);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 6), bytes({0x01, 0xDE, 0xAD, 0xBE, 0xEF, 0xAA}));
}

TEST(FrameEncode, WriteDatagramHeaderMatchesEncodedDatagram) {
    for (const char* addr : {"10.1.2.3", "2001:db8::5"}) {
        const IpAddress a = ip(addr);
        std::string header(datagram_header_size(a.family), '\0');
        write_datagram_header(reinterpret_cast<uint8_t*>(header.data()), 99, a, 4242);
        EXPECT_EQ(header + "payload", encode_datagram(99, a, 4242, "payload")) << addr;
    }
}

// ---- round trips ----

TEST(FrameRoundTrip, Data) {
    const std::string payload("\0binary\xff", 8);
    const std::string f = encode_data(0xFFFFFFFF, payload);
    const auto r = decode_frame(f);
    ASSERT_TRUE(r) << to_string(r.error);
    EXPECT_TRUE(r.has_sock);
    EXPECT_EQ(r.frame.kind, FrameKind::data);
    EXPECT_EQ(r.frame.sock, 0xFFFFFFFFu);
    EXPECT_EQ(r.frame.payload, payload);
}

TEST(FrameRoundTrip, DatagramBothFamilies) {
    for (const char* addr : {"192.168.0.9", "fe80::1234"}) {
        const std::string f = encode_datagram(5, ip(addr), 65535, "dgram");
        const auto r = decode_frame(f);
        ASSERT_TRUE(r) << addr << ": " << to_string(r.error);
        EXPECT_EQ(r.frame.kind, FrameKind::datagram);
        EXPECT_EQ(r.frame.sock, 5u);
        EXPECT_EQ(r.frame.peer_addr, ip(addr));
        EXPECT_EQ(r.frame.peer_port, 65535);
        EXPECT_EQ(r.frame.payload, "dgram");
    }
}

TEST(FrameRoundTrip, EmptyDatagramIsValid) {
    const auto r = decode_frame(encode_datagram(1, ip("127.0.0.1"), 9, ""));
    ASSERT_TRUE(r) << to_string(r.error);
    EXPECT_TRUE(r.frame.payload.empty());
}

TEST(FrameRoundTrip, LargestDatagramIsValid) {
    const std::string payload(kMaxDatagramPayload, 'z');
    const auto r = decode_frame(encode_datagram(1, ip("127.0.0.1"), 9, payload));
    ASSERT_TRUE(r) << to_string(r.error);
    EXPECT_EQ(r.frame.payload.size(), kMaxDatagramPayload);
}

TEST(FrameRoundTrip, Window) {
    const auto r = decode_frame(encode_window(3, 0xFFFFFFFF));
    ASSERT_TRUE(r) << to_string(r.error);
    EXPECT_EQ(r.frame.kind, FrameKind::window);
    EXPECT_EQ(r.frame.sock, 3u);
    EXPECT_EQ(r.frame.increment, 0xFFFFFFFFu);
}

TEST(FrameRoundTrip, PayloadPointsIntoTheGivenBuffer) {
    const std::string f = encode_data(1, "abc");
    const auto r = decode_frame(f);
    EXPECT_EQ(r.frame.payload.data(), f.data() + kFrameHeaderSize);
}

// ---- every FrameError ----

TEST(FrameDecodeError, ShorterThanHeaderIsTooShortWithoutSocket) {
    for (size_t n = 0; n < kFrameHeaderSize; ++n) {
        const auto r = decode_frame(std::string(n, '\x01'));
        EXPECT_EQ(r.error, FrameError::too_short) << n;
        EXPECT_FALSE(r.has_sock) << n;
        EXPECT_FALSE(r);
    }
}

TEST(FrameDecodeError, DatagramCutShortIsTooShort) {
    const std::string full = encode_datagram(8, ip("::1"), 1, "");
    for (size_t n = kFrameHeaderSize; n < full.size(); ++n) {
        const auto r = decode_frame(full.substr(0, n));
        EXPECT_EQ(r.error, FrameError::too_short) << n;
        EXPECT_TRUE(r.has_sock);
        EXPECT_EQ(r.frame.sock, 8u);
    }
}

TEST(FrameDecodeError, WindowCutShortIsTooShort) {
    EXPECT_EQ(decode_frame(encode_window(1, 1).substr(0, 8)).error, FrameError::too_short);
    EXPECT_EQ(decode_frame(bytes({0x03, 0, 0, 0, 1})).error, FrameError::too_short);
}

TEST(FrameDecodeError, UnknownKindKeepsSocketForTheReport) {
    for (int kind : {0x00, 0x04, 0x7F, 0xFF}) {
        const auto r = decode_frame(bytes({kind, 0, 0, 1, 0, 'x'}));
        EXPECT_EQ(r.error, FrameError::unknown_kind) << kind;
        EXPECT_TRUE(r.has_sock);
        EXPECT_EQ(r.frame.sock, 256u);
    }
}

TEST(FrameDecodeError, DataWithoutPayloadIsEmptyData) {
    const auto r = decode_frame(bytes({0x01, 0, 0, 0, 9}));
    EXPECT_EQ(r.error, FrameError::empty_data);
    EXPECT_EQ(r.frame.sock, 9u);
}

TEST(FrameDecodeError, DatagramFamilyOtherThan4Or6IsBadFamily) {
    for (int family : {0, 5, 46, 255}) {
        std::string f = encode_datagram(1, ip("127.0.0.1"), 1, "x");
        f[kFrameHeaderSize] = char(family);
        EXPECT_EQ(decode_frame(f).error, FrameError::bad_family) << family;
    }
}

TEST(FrameDecodeError, DatagramOverLimitIsTooBig) {
    const std::string payload(kMaxDatagramPayload + 1, 'z');
    EXPECT_EQ(decode_frame(encode_datagram(1, ip("127.0.0.1"), 9, payload)).error, FrameError::datagram_too_big);
    EXPECT_EQ(decode_frame(encode_datagram(1, ip("::1"), 9, payload)).error, FrameError::datagram_too_big);
}

TEST(FrameDecodeError, ZeroWindowIncrementIsRejected) {
    EXPECT_EQ(decode_frame(encode_window(1, 0)).error, FrameError::zero_window);
}

TEST(FrameDecodeError, WindowLongerThanNineBytesHasTrailingBytes) {
    EXPECT_EQ(decode_frame(encode_window(1, 5) + "x").error, FrameError::trailing_bytes);
}

TEST(FrameDecodeError, EveryErrorHasItsOwnDescription) {
    const FrameError all[] = {FrameError::none,        FrameError::too_short,     FrameError::unknown_kind,
                              FrameError::empty_data,  FrameError::bad_family,    FrameError::datagram_too_big,
                              FrameError::zero_window, FrameError::trailing_bytes};
    std::set<std::string> seen;
    for (FrameError e : all) {
        const std::string text = to_string(e);
        EXPECT_FALSE(text.empty());
        EXPECT_NE(text, "unknown frame error");
        EXPECT_TRUE(seen.insert(text).second) << "duplicate: " << text;
    }
}

// ---- addresses ----

TEST(IpAddressText, ParsesAndPrintsBothFamilies) {
    const auto v4 = IpAddress::parse("10.0.0.255");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->family, 4);
    EXPECT_EQ(v4->size(), 4u);
    EXPECT_EQ(v4->to_string(), "10.0.0.255");
    const auto v6 = IpAddress::parse("2001:DB8::1");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->family, 6);
    EXPECT_EQ(v6->size(), 16u);
    EXPECT_EQ(v6->to_string(), "2001:db8::1");
}

TEST(IpAddressText, RejectsNamesAndMalformedText) {
    for (const char* text : {"", "localhost", "1.2.3", "1.2.3.4.5", "256.1.1.1", "::1::2", "[::1]", " 1.2.3.4"})
        EXPECT_FALSE(IpAddress::parse(text)) << text;
    EXPECT_FALSE(IpAddress::parse(std::string(100, '1')));
}

}  // namespace
}  // namespace sockgate::proto

// ---- window growth (PROTOCOL.md §5.3) ----

TEST(WindowGrowth, DoublesWhenTheSenderIsNearlyOutOfCredit) {
    EXPECT_EQ(sockgate::proto::window_growth(1000, 8000, 0), 1000u);
    EXPECT_EQ(sockgate::proto::window_growth(1000, 8000, 125), 1000u) << "an eighth left still counts as stalled";
}

TEST(WindowGrowth, StaysWhileTheSenderHasCreditLeft) {
    EXPECT_EQ(sockgate::proto::window_growth(1000, 8000, 126), 0u);
    EXPECT_EQ(sockgate::proto::window_growth(1000, 8000, 500), 0u);
}

TEST(WindowGrowth, NeverPassesMaxWindow) {
    EXPECT_EQ(sockgate::proto::window_growth(6000, 8000, 0), 2000u);
    EXPECT_EQ(sockgate::proto::window_growth(8000, 8000, 0), 0u);
    EXPECT_EQ(sockgate::proto::window_growth(1000, 1000, 0), 0u) << "max_window equal to window: no growth";
}
