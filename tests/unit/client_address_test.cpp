// Which address a connection behind a trusted proxy counts as: the walk of
// X-Forwarded-For from its right end, X-Real-IP, and entries that are not
// addresses.
#include <gtest/gtest.h>

#include "gateway/client_address.hpp"

using sockgate::gateway::client_behind_proxy;
using sockgate::gateway::ClientAddress;
using sockgate::gateway::PolicyError;
using sockgate::gateway::TrustedProxies;

namespace {

const TrustedProxies kProxies({"10.0.0.0/8", "fd00::/8"});

ClientAddress behind(const std::string& xff, const std::string& real_ip = "", const std::string& peer = "10.0.0.5") {
    return client_behind_proxy(kProxies, peer, xff, real_ip);
}

}  // namespace

TEST(ClientAddress, NearestUntrustedHopIsTheClient) {
    const ClientAddress c = behind("198.51.100.1, 203.0.113.7, 10.0.0.9");
    EXPECT_EQ(c.address, "203.0.113.7");
    EXPECT_TRUE(c.forwarded);
    EXPECT_EQ(c.problem, "");
}

TEST(ClientAddress, WhatTheClientWroteLeftOfItIsNotBelieved) {
    // A client may send its own X-Forwarded-For; the proxy appends to it.
    EXPECT_EQ(behind("10.1.2.3, 198.51.100.1").address, "198.51.100.1")
        << "a client claiming a trusted address does not become a proxy";
}

TEST(ClientAddress, AllHopsTrustedGivesTheFirst) { EXPECT_EQ(behind("10.1.1.1, 10.2.2.2").address, "10.1.1.1"); }

TEST(ClientAddress, RealIpIsUsedOnlyWithoutForwardedFor) {
    EXPECT_EQ(behind("", "203.0.113.9").address, "203.0.113.9");
    EXPECT_EQ(behind("203.0.113.7", "203.0.113.9").address, "203.0.113.7");
    EXPECT_EQ(behind(" \t", "203.0.113.9").address, "203.0.113.9") << "a blank header counts as absent";
}

TEST(ClientAddress, NoHeadersLeaveThePeer) {
    const ClientAddress c = behind("", "");
    EXPECT_EQ(c.address, "10.0.0.5");
    EXPECT_FALSE(c.forwarded);
}

TEST(ClientAddress, PortsBracketsAndMappedAddressesAreNormalised) {
    EXPECT_EQ(behind("203.0.113.7:4711").address, "203.0.113.7");
    EXPECT_EQ(behind("[2001:db8::1]:4711").address, "2001:db8::1");
    EXPECT_EQ(behind("[2001:db8::1]").address, "2001:db8::1");
    EXPECT_EQ(behind("2001:DB8:0::1").address, "2001:db8::1");
    EXPECT_EQ(behind("::ffff:203.0.113.7").address, "203.0.113.7") << "one client, however it arrived";
    EXPECT_EQ(behind("203.0.113.7", "", "fd00::2").address, "203.0.113.7") << "an IPv6 proxy";
}

TEST(ClientAddress, EntryThatIsNotAnAddressStopsAtTheLastGoodHop) {
    ClientAddress c = behind("203.0.113.7, unknown");
    EXPECT_EQ(c.address, "10.0.0.5");
    EXPECT_FALSE(c.forwarded);
    EXPECT_EQ(c.problem, "X-Forwarded-For entry 'unknown' is not an IP address");

    c = behind("nonsense, 10.0.0.9");
    EXPECT_EQ(c.address, "10.0.0.9") << "the trusted hop the proxy did add";
    EXPECT_TRUE(c.forwarded);
    EXPECT_NE(c.problem, "");

    for (const char* bad : {"203.0.113.7,,", "203.0.113.7:", "203.0.113.7:http", "[2001:db8::1", "[2001:db8::1]x",
                            "[203.0.113.7]:80x", "_hidden", "203.0.113.300"})
        EXPECT_EQ(behind(bad).address, "10.0.0.5") << bad;
    EXPECT_EQ(behind("", "nobody").problem, "X-Real-IP entry 'nobody' is not an IP address");
}

TEST(ClientAddress, ProblemsQuoteTheEntryShortAndPrintable) {
    const ClientAddress c = behind(std::string(200, 'a') + "\x01");
    EXPECT_LT(c.problem.size(), 140u);
    EXPECT_EQ(c.problem.find('\x01'), std::string::npos);
    EXPECT_EQ(behind("a\x7f"
                     "b")
                  .problem,
              "X-Forwarded-For entry 'a?b' is not an IP address");
}

TEST(ClientAddress, UntrustedPeerIsNeverWalkedPast) {
    EXPECT_EQ(client_behind_proxy(kProxies, "192.0.2.1", "203.0.113.7", "").address, "192.0.2.1");
}

TEST(TrustedProxies, RangesAreCheckedAndBadOnesNamed) {
    EXPECT_TRUE(kProxies.trusts("10.255.0.1"));
    EXPECT_TRUE(kProxies.trusts("::ffff:10.0.0.1"));
    EXPECT_TRUE(kProxies.trusts("fd12::1"));
    EXPECT_FALSE(kProxies.trusts("11.0.0.1"));
    EXPECT_FALSE(kProxies.trusts("not an address"));
    EXPECT_TRUE(TrustedProxies().empty());
    try {
        TrustedProxies({"10.0.0.0/40"});
        ADD_FAILURE() << "a prefix past 32 was accepted";
    } catch (const PolicyError& e) {
        EXPECT_NE(std::string(e.what()).find("bad trust-proxy rule '10.0.0.0/40'"), std::string::npos) << e.what();
    }
}
