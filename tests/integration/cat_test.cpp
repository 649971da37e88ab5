// sockgate-cat, the netcat of sockgate, against the real gateway and its
// demo echo services.
#include "gateway_fixture.hpp"
#include "support/wait.hpp"

#include <thread>

using namespace sockgate::testing;

// Named for this file's area, so `ctest -R Cat` selects it.
class Cat : public GatewayTest {};

TEST_F(Cat, CatTalksToDemoTcpEcho) {
    ChildProcess cat(SOCKGATE_CAT_BIN, {gw().ws_url(), "tcp", "127.0.0.1", std::to_string(gw().demo_port())});
    ASSERT_TRUE(cat.write_stdin("hello through the gateway\n"));
    cat.close_stdin();  // shutdown; the echo half-closes back, and cat exits
    EXPECT_EQ(cat.read_until("\n", 10s), "hello through the gateway\n");
    EXPECT_EQ(cat.wait(10s), 0);
}

TEST_F(Cat, CatTalksToDemoUdpEcho) {
    ChildProcess cat(SOCKGATE_CAT_BIN,
                     {"--linger-ms", "1000", gw().ws_url(), "udp", "127.0.0.1", std::to_string(gw().demo_port())});
    ASSERT_TRUE(cat.write_stdin("one datagram\n"));
    EXPECT_NE(cat.read_until("one datagram", 10s).find("one datagram"), std::string::npos);
    cat.close_stdin();
    EXPECT_EQ(cat.wait(10s), 0);
}

TEST_F(Cat, CatListensAndRelaysAnInboundConnection) {
    uint16_t port = 0;
    { Fd probe = tcp_listen("127.0.0.1", port); }
    ChildProcess cat(SOCKGATE_CAT_BIN, {gw().ws_url(), "listen", "127.0.0.1", std::to_string(port)});
    Fd peer;
    wait_until([&] { return bool(peer = tcp_connect("127.0.0.1", port)); }, 5s);
    ASSERT_TRUE(peer) << "sockgate-cat never listened";
    ASSERT_TRUE(write_all(peer, "inbound\n"));
    EXPECT_EQ(cat.read_until("\n", 10s), "inbound\n");
    ASSERT_TRUE(cat.write_stdin("outbound\n"));
    EXPECT_EQ(read_exactly(peer, 9), "outbound\n");
}

TEST_F(Cat, CatReportsDeniedDestination) {
    start_gateway({"--allow", "tcp:127.0.0.1/32:1-1000"});
    ChildProcess cat(SOCKGATE_CAT_BIN, {gw().ws_url(), "tcp", "127.0.0.1", std::to_string(gw().demo_port())});
    cat.close_stdin();
    EXPECT_EQ(cat.wait(10s), 1);
}
