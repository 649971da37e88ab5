// Open sockets cost the gateway little memory: nothing is held per socket
// between reads (the 20 KiB-per-socket target in docs/PERFORMANCE.md).
#include "gateway_fixture.hpp"

#include <vector>

using namespace sockgate::testing;

namespace {

constexpr int kStreams = 300;
constexpr int kUdpSockets = 300;
constexpr size_t kBytesPerStream = 100;
constexpr long long kMaxBytesPerSocket = 20 * 1024;

}  // namespace

// Named for this file's area, so `ctest -R Memory` selects it.
class Memory : public GatewayTest {};

TEST_F(Memory, SocketsThatHaveReceivedDataHoldNoReceiveBuffer) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "AddressSanitizer's redzones and quarantine make resident memory meaningless here";
#endif
    start_gateway({"--max-sockets", std::to_string(kStreams + kUdpSockets + 10)});
    auto c = client();

    // One socket of each kind through the whole path first, so one-time
    // allocations are not counted against the sockets measured.
    std::vector<RelayedStream> streams;
    std::vector<sockgate::proto::SocketReply> udp;
    uint16_t native_port = 0;
    Fd native = udp_bind("127.0.0.1", native_port);
    auto relay_one_of_each = [&] {
        streams.push_back(connect_to_native_peer(*c));
        ASSERT_NE(streams.back().sock, 0u);
        ASSERT_TRUE(write_all(streams.back().peer, std::string(kBytesPerStream, 's')));
        auto u = c->bind(std::string("127.0.0.1"), 0);
        ASSERT_TRUE(u) << u.describe();
        udp.push_back(*u);
        ASSERT_TRUE(udp_send_to(native, "127.0.0.1", u->local.port, "datagram"));
    };
    relay_one_of_each();
    ASSERT_EQ(wait_for_metric("sockgate_bytes_relayed_total{direction=\"to_client\"}", kBytesPerStream), 100);
    ASSERT_EQ(wait_for_metric("sockgate_datagrams_relayed_total{direction=\"to_client\"}", 1), 1);
    const long long before = metric(metrics(), "process_resident_memory_bytes");
    ASSERT_GT(before, 0);

    for (int i = 1; i < std::max(kStreams, kUdpSockets); ++i) relay_one_of_each();
    const long long sockets = kStreams + kUdpSockets - 2;
    ASSERT_EQ(wait_for_metric("sockgate_bytes_relayed_total{direction=\"to_client\"}",
                              kStreams * (long long)kBytesPerStream, 10s),
              kStreams * (long long)kBytesPerStream);
    ASSERT_EQ(wait_for_metric("sockgate_datagrams_relayed_total{direction=\"to_client\"}", kUdpSockets, 10s),
              kUdpSockets);
    const long long after = metric(metrics(), "process_resident_memory_bytes");
    const long long per_socket = (after - before) / sockets;
    EXPECT_LT(per_socket, kMaxBytesPerSocket)
        << "resident memory grew from " << before << " to " << after << " bytes for " << sockets << " sockets";
}
