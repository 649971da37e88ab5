#include "gateway/policy.hpp"

#include <gtest/gtest.h>

namespace sockgate::gateway {
namespace {

proto::IpAddress ip(const char* text) {
    auto a = proto::IpAddress::parse(text);
    EXPECT_TRUE(a.has_value()) << text;
    return a.value_or(proto::IpAddress{});
}

// Asserts that parsing throws PolicyError whose message mentions `needle`.
template <class Parse>
void expect_policy_error(Parse parse, const std::string& text, const std::string& needle) {
    try {
        parse(text);
        ADD_FAILURE() << "no PolicyError for '" << text << "'";
    } catch (const PolicyError& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
            << "message for '" << text << "' lacks '" << needle << "': " << e.what();
    }
}

void expect_bad_allow(const std::string& text, const std::string& needle) {
    expect_policy_error([](const std::string& t) { parse_allow_rule(t); }, text, needle);
}
void expect_bad_bind(const std::string& text, const std::string& needle) {
    expect_policy_error([](const std::string& t) { parse_bind_rule(t); }, text, needle);
}

// ---- parse_allow_rule ----

TEST(AllowRule, ParsesIpv4CidrAndAnyPort) {
    const auto r = parse_allow_rule("tcp:127.0.0.0/8:*");
    EXPECT_EQ(r.proto, Proto::tcp);
    EXPECT_EQ(r.cidr.base, ip("127.0.0.0"));
    EXPECT_EQ(r.cidr.prefix, 8u);
    EXPECT_EQ(r.ports.first, 0);
    EXPECT_EQ(r.ports.last, 65535);
    EXPECT_EQ(r.text, "tcp:127.0.0.0/8:*");
}

TEST(AllowRule, SplitsIpv6AddressAtFirstAndLastColon) {
    const auto r = parse_allow_rule("any:::1/128:*");
    EXPECT_EQ(r.proto, Proto::any);
    EXPECT_EQ(r.cidr.base, ip("::1"));
    EXPECT_EQ(r.cidr.prefix, 128u);
    EXPECT_EQ(r.text, "any:::1/128:*");
}

TEST(AllowRule, AcceptsBracketedIpv6) {
    const auto r = parse_allow_rule("tcp:[::1]/128:80");
    EXPECT_EQ(r.cidr.base, ip("::1"));
    EXPECT_EQ(r.cidr.prefix, 128u);
    EXPECT_EQ(r.ports.first, 80);
    EXPECT_EQ(r.ports.last, 80);
    EXPECT_EQ(r.text, "tcp:::1/128:80");
    EXPECT_EQ(parse_allow_rule("udp:[fe80::]:*").text, "udp:fe80::/128:*");
}

TEST(AllowRule, AddressWithoutPrefixIsAHostRoute) {
    EXPECT_EQ(parse_allow_rule("udp:10.1.2.3:53").cidr.prefix, 32u);
    EXPECT_EQ(parse_allow_rule("udp:[2001:db8::1]:53").cidr.prefix, 128u);
}

TEST(AllowRule, MasksBaseAddressToPrefix) {
    const auto r = parse_allow_rule("tcp:192.168.77.201/20:*");
    EXPECT_EQ(r.cidr.base, ip("192.168.64.0"));
    EXPECT_EQ(r.text, "tcp:192.168.64.0/20:*");
    EXPECT_EQ(parse_allow_rule("any:[2001:db8:abcd::1]/32:*").text, "any:2001:db8::/32:*");
    // Bit 33 is the top bit of 0xabcd, so it survives a /33 mask.
    EXPECT_EQ(parse_allow_rule("any:[2001:db8:abcd::1]/33:*").text, "any:2001:db8:8000::/33:*");
    EXPECT_EQ(parse_allow_rule("any:1.2.3.4/0:*").text, "any:0.0.0.0/0:*");
}

TEST(AllowRule, ParsesSinglePortAndRange) {
    const auto single = parse_allow_rule("tcp:127.0.0.1:8080");
    EXPECT_EQ(single.ports.first, 8080);
    EXPECT_EQ(single.ports.last, 8080);
    const auto range = parse_allow_rule("udp:127.0.0.1:1000-2000");
    EXPECT_EQ(range.ports.first, 1000);
    EXPECT_EQ(range.ports.last, 2000);
    EXPECT_EQ(range.text, "udp:127.0.0.1/32:1000-2000");
    EXPECT_EQ(parse_allow_rule("tcp:127.0.0.1:0-65535").text, "tcp:127.0.0.1/32:*");
}

TEST(AllowRule, ProtocolIsCaseInsensitiveAndCanonicallyLowercase) {
    EXPECT_EQ(parse_allow_rule("TCP:127.0.0.1:1").text, "tcp:127.0.0.1/32:1");
}

TEST(AllowRule, MappedIpv6CidrBecomesIpv4Cidr) {
    EXPECT_EQ(parse_allow_rule("tcp:[::ffff:10.0.0.0]/104:*").text, "tcp:10.0.0.0/8:*");
}

TEST(AllowRule, CanonicalTextParsesToItself) {
    for (const char* text : {"tcp:127.0.0.0/8:*", "any:::1/128:*", "udp:[2001:db8::]/32:5-6", "any:10.0.0.7:9"}) {
        const auto once = parse_allow_rule(text);
        EXPECT_EQ(parse_allow_rule(once.text).text, once.text) << text;
    }
}

TEST(AllowRule, RejectsBadProtocol) {
    expect_bad_allow("sctp:127.0.0.1:*", "unknown protocol 'sctp'");
    expect_bad_allow(":127.0.0.1:*", "missing protocol");
}

TEST(AllowRule, RejectsMissingParts) {
    expect_bad_allow("", "expected PROTO:CIDR:PORTS");
    expect_bad_allow("tcp", "expected PROTO:CIDR:PORTS");
    expect_bad_allow("tcp:127.0.0.1", "expected PROTO:CIDR:PORTS");
    expect_bad_allow("tcp::80", "missing address");
    expect_bad_allow("tcp:127.0.0.1:", "missing ports");
}

TEST(AllowRule, RejectsBadAddress) {
    expect_bad_allow("tcp:localhost:80", "'localhost' is not a numeric");
    expect_bad_allow("tcp:256.0.0.1:80", "'256.0.0.1' is not a numeric");
    expect_bad_allow("tcp:[::1:80", "without a closing");
    expect_bad_allow("tcp:[127.0.0.1]:80", "brackets are only for IPv6");
    expect_bad_allow("tcp:[::1]x:80", "after ']'");
}

TEST(AllowRule, UnbracketedIpv6WithoutPortsGetsAHint) {
    // "::1" alone would split into address ":" and port "1".
    expect_bad_allow("tcp:::1", "needs its ports part");
}

TEST(AllowRule, RejectsPrefixOutOfRange) {
    expect_bad_allow("tcp:127.0.0.0/33:*", "from 0 to 32");
    expect_bad_allow("tcp:[::]/129:*", "from 0 to 128");
    expect_bad_allow("tcp:127.0.0.0/:*", "prefix");
    expect_bad_allow("tcp:127.0.0.0/-1:*", "prefix");
    expect_bad_allow("tcp:127.0.0.0/8x:*", "prefix");
}

TEST(AllowRule, RejectsBadPorts) {
    expect_bad_allow("tcp:127.0.0.1:65536", "is not a port");
    expect_bad_allow("tcp:127.0.0.1:http", "is not a port");
    expect_bad_allow("tcp:127.0.0.1:1-", "is not a port");
    expect_bad_allow("tcp:127.0.0.1:-5", "is not a port");
    expect_bad_allow("tcp:127.0.0.1:+5", "is not a port");
    expect_bad_allow("tcp:127.0.0.1:1-2-3", "is not a port");
    expect_bad_allow("tcp:127.0.0.1:90-80", "runs backwards");
}

TEST(AllowRule, RejectsControlCharacters) {
    expect_bad_allow(std::string("tcp:127.0.0.1\0junk:80", 21), "control characters");
}

// ---- parse_bind_rule ----

TEST(BindRule, ParsesCidrAndPortRange) {
    const auto r = parse_bind_rule("127.0.0.0/8:1024-65535");
    EXPECT_EQ(r.cidr.base, ip("127.0.0.0"));
    EXPECT_EQ(r.cidr.prefix, 8u);
    EXPECT_EQ(r.ports.first, 1024);
    EXPECT_EQ(r.ports.last, 65535);
    EXPECT_EQ(r.text, "127.0.0.0/8:1024-65535");
}

TEST(BindRule, ParsesIpv6WithAndWithoutBrackets) {
    EXPECT_EQ(parse_bind_rule("::1/128:1024-65535").text, "::1/128:1024-65535");
    EXPECT_EQ(parse_bind_rule("[::1]:*").text, "::1/128:*");
    EXPECT_EQ(parse_bind_rule("0.0.0.0:5000").text, "0.0.0.0/32:5000");
}

TEST(BindRule, RejectsBadInput) {
    expect_bad_bind("127.0.0.1", "expected CIDR:PORTS");
    expect_bad_bind(":80", "missing address");
    expect_bad_bind("127.0.0.1:", "missing ports");
    expect_bad_bind("127.0.0.1/40:80", "from 0 to 32");
    expect_bad_bind("nohost:80", "not a numeric");
    expect_bad_bind("127.0.0.1:99999", "is not a port");
}

// ---- Cidr and PortRange ----

TEST(Cidr, ContainsAddressesUnderItsPrefixOnly) {
    const auto cidr = parse_bind_rule("10.20.0.0/16:*").cidr;
    EXPECT_TRUE(cidr.contains(ip("10.20.0.0")));
    EXPECT_TRUE(cidr.contains(ip("10.20.255.255")));
    EXPECT_FALSE(cidr.contains(ip("10.21.0.0")));
    EXPECT_FALSE(cidr.contains(ip("10.19.255.255")));
}

TEST(Cidr, OddPrefixComparesPartialByte) {
    const auto cidr = parse_bind_rule("192.168.1.128/25:*").cidr;
    EXPECT_TRUE(cidr.contains(ip("192.168.1.200")));
    EXPECT_FALSE(cidr.contains(ip("192.168.1.127")));
}

TEST(Cidr, ZeroPrefixContainsEveryAddressOfItsFamily) {
    const auto v4 = parse_bind_rule("0.0.0.0/0:*").cidr;
    EXPECT_TRUE(v4.contains(ip("255.255.255.255")));
    EXPECT_FALSE(v4.contains(ip("::1")));
    const auto v6 = parse_bind_rule("[::]/0:*").cidr;
    EXPECT_TRUE(v6.contains(ip("2001:db8::1")));
    EXPECT_FALSE(v6.contains(ip("1.2.3.4")));
}

TEST(Cidr, MappedIpv6AddressIsJudgedAsIpv4) {
    const auto v4 = parse_bind_rule("127.0.0.0/8:*").cidr;
    EXPECT_TRUE(v4.contains(ip("::ffff:127.0.0.1")));
    EXPECT_FALSE(v4.contains(ip("::ffff:10.0.0.1")));
    // An IPv6 catch-all does not cover IPv4 hosts reached through mapping.
    const auto v6 = parse_bind_rule("[::]/0:*").cidr;
    EXPECT_FALSE(v6.contains(ip("::ffff:10.0.0.1")));
}

TEST(Cidr, ToStringShowsBaseAndPrefix) {
    EXPECT_EQ(parse_bind_rule("127.0.0.0/8:*").cidr.to_string(), "127.0.0.0/8");
    EXPECT_EQ(parse_bind_rule("[::1]:*").cidr.to_string(), "::1/128");
}

TEST(PortRange, ToStringUsesStarSingleOrRange) {
    EXPECT_EQ((PortRange{0, 65535}).to_string(), "*");
    EXPECT_EQ((PortRange{80, 80}).to_string(), "80");
    EXPECT_EQ((PortRange{1024, 65535}).to_string(), "1024-65535");
}

TEST(PortRange, ContainsBothEnds) {
    const PortRange r{10, 20};
    EXPECT_TRUE(r.contains(10));
    EXPECT_TRUE(r.contains(20));
    EXPECT_FALSE(r.contains(9));
    EXPECT_FALSE(r.contains(21));
}

// ---- Policy defaults ----

TEST(Policy, EmptyListsGiveLoopbackDefaults) {
    const Policy p({}, {});
    ASSERT_EQ(p.allow_rules().size(), 2u);
    EXPECT_EQ(p.allow_rules()[0].text, "any:127.0.0.0/8:*");
    EXPECT_EQ(p.allow_rules()[1].text, "any:::1/128:*");
    ASSERT_EQ(p.bind_rules().size(), 2u);
    EXPECT_EQ(p.bind_rules()[0].text, "127.0.0.0/8:1024-65535");
    EXPECT_EQ(p.bind_rules()[1].text, "::1/128:1024-65535");
}

TEST(Policy, DefaultsAllowLoopbackAndDenyEverythingElse) {
    const Policy p({}, {});
    EXPECT_TRUE(p.check_destination(Proto::tcp, ip("127.0.0.1"), 22).allowed);
    EXPECT_TRUE(p.check_destination(Proto::udp, ip("127.255.0.9"), 53).allowed);
    EXPECT_TRUE(p.check_destination(Proto::tcp, ip("::1"), 80).allowed);
    EXPECT_FALSE(p.check_destination(Proto::tcp, ip("10.0.0.1"), 80).allowed);
    EXPECT_FALSE(p.check_destination(Proto::tcp, ip("0.0.0.0"), 80).allowed);
    EXPECT_FALSE(p.check_destination(Proto::tcp, ip("::2"), 80).allowed);
    EXPECT_FALSE(p.check_destination(Proto::udp, ip("8.8.8.8"), 53).allowed);
}

TEST(Policy, GivenRulesReplaceTheDefaults) {
    const Policy p({"tcp:127.0.0.1:80"}, {"127.0.0.1:5000"});
    ASSERT_EQ(p.allow_rules().size(), 1u);
    EXPECT_FALSE(p.check_destination(Proto::tcp, ip("127.0.0.2"), 80).allowed);
    EXPECT_FALSE(p.check_destination(Proto::tcp, ip("::1"), 80).allowed);
    ASSERT_EQ(p.bind_rules().size(), 1u);
    EXPECT_FALSE(p.check_bind(ip("::1"), 5000).allowed);
}

TEST(Policy, ConstructorThrowsOnBadRule) {
    EXPECT_THROW(Policy({"tcp:nope:80"}, {}), PolicyError);
    EXPECT_THROW(Policy({}, {"nope:80"}), PolicyError);
}

// ---- check_destination ----

TEST(CheckDestination, MatchesProtocolAddressAndPort) {
    const Policy p({"tcp:127.0.0.0/8:8000-8999"}, {});
    const auto yes = p.check_destination(Proto::tcp, ip("127.0.0.5"), 8080);
    EXPECT_TRUE(yes.allowed);
    EXPECT_EQ(yes.rule, "tcp:127.0.0.0/8:8000-8999");
    EXPECT_TRUE(yes.reason.empty());
    EXPECT_FALSE(p.check_destination(Proto::udp, ip("127.0.0.5"), 8080).allowed);
    EXPECT_FALSE(p.check_destination(Proto::tcp, ip("127.0.0.5"), 7999).allowed);
    EXPECT_FALSE(p.check_destination(Proto::tcp, ip("128.0.0.5"), 8080).allowed);
}

TEST(CheckDestination, AnyRuleCoversTcpAndUdp) {
    const Policy p({"any:127.0.0.1:7"}, {});
    EXPECT_TRUE(p.check_destination(Proto::tcp, ip("127.0.0.1"), 7).allowed);
    EXPECT_TRUE(p.check_destination(Proto::udp, ip("127.0.0.1"), 7).allowed);
}

TEST(CheckDestination, ReportsTheFirstMatchingRule) {
    const Policy p({"udp:127.0.0.1:*", "tcp:127.0.0.0/8:*", "any:127.0.0.1:*"}, {});
    EXPECT_EQ(p.check_destination(Proto::tcp, ip("127.0.0.1"), 1).rule, "tcp:127.0.0.0/8:*");
}

TEST(CheckDestination, MappedAddressCannotBypassIpv4Rules) {
    const Policy p({"any:127.0.0.0/8:*", "any:[::]/0:*"}, {});
    EXPECT_TRUE(p.check_destination(Proto::tcp, ip("::ffff:127.0.0.1"), 80).allowed);
    const auto denied = p.check_destination(Proto::tcp, ip("::ffff:10.0.0.1"), 80);
    EXPECT_FALSE(denied.allowed);
    EXPECT_NE(denied.reason.find("10.0.0.1:80"), std::string::npos) << denied.reason;
}

TEST(CheckDestination, Ipv4NeverMatchesIpv6RuleAndViceVersa) {
    const Policy v6_only({"any:[::]/0:*"}, {});
    EXPECT_FALSE(v6_only.check_destination(Proto::tcp, ip("127.0.0.1"), 80).allowed);
    const Policy v4_only({"any:0.0.0.0/0:*"}, {});
    EXPECT_FALSE(v4_only.check_destination(Proto::tcp, ip("::1"), 80).allowed);
}

TEST(CheckDestination, DeniedReasonNamesTargetRulesAndFix) {
    const Policy p({"any:127.0.0.1/32:*"}, {});
    const auto d = p.check_destination(Proto::tcp, ip("127.0.0.2"), 22);
    EXPECT_FALSE(d.allowed);
    EXPECT_TRUE(d.rule.empty());
    EXPECT_EQ(d.reason,
              "tcp to 127.0.0.2:22 is not allowed: no --allow rule covers it (rules: any:127.0.0.1/32:*). "
              "Allow it with --allow tcp:127.0.0.2/32:22");
}

TEST(CheckDestination, DeniedIpv6ReasonSuggestsParsableRule) {
    const Policy p({}, {});
    const auto d = p.check_destination(Proto::udp, ip("::2"), 53);
    EXPECT_NE(d.reason.find("udp to [::2]:53 is not allowed"), std::string::npos) << d.reason;
    const std::string marker = "--allow ";
    const auto fix = d.reason.substr(d.reason.rfind(marker) + marker.size());
    EXPECT_EQ(fix, "udp:::2/128:53");
    const Policy fixed({fix}, {});
    EXPECT_TRUE(fixed.check_destination(Proto::udp, ip("::2"), 53).allowed);
}

// ---- check_bind ----

TEST(CheckBind, DefaultsAllowUnprivilegedLoopbackPorts) {
    const Policy p({}, {});
    EXPECT_TRUE(p.check_bind(ip("127.0.0.1"), 1024).allowed);
    EXPECT_TRUE(p.check_bind(ip("::1"), 65535).allowed);
    EXPECT_FALSE(p.check_bind(ip("127.0.0.1"), 80).allowed);
    EXPECT_FALSE(p.check_bind(ip("192.168.0.1"), 5000).allowed);
}

TEST(CheckBind, PortZeroIsAllowedWhereverTheAddressIsCovered) {
    const Policy p({}, {"127.0.0.1:6000-6001"});
    const auto d = p.check_bind(ip("127.0.0.1"), 0);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.rule, "127.0.0.1/32:6000-6001");
    EXPECT_FALSE(p.check_bind(ip("127.0.0.2"), 0).allowed);
}

TEST(CheckBind, UnspecifiedAddressNeedsARuleContainingIt) {
    const Policy defaults({}, {});
    EXPECT_FALSE(defaults.check_bind(ip("0.0.0.0"), 5000).allowed);
    EXPECT_FALSE(defaults.check_bind(ip("::"), 5000).allowed);
    const Policy wildcard({}, {"0.0.0.0/32:*", "[::]/128:*"});
    EXPECT_TRUE(wildcard.check_bind(ip("0.0.0.0"), 5000).allowed);
    EXPECT_TRUE(wildcard.check_bind(ip("::"), 5000).allowed);
}

TEST(CheckBind, MappedAddressIsJudgedAsIpv4) {
    const Policy p({}, {});
    EXPECT_TRUE(p.check_bind(ip("::ffff:127.0.0.1"), 2000).allowed);
    EXPECT_FALSE(p.check_bind(ip("::ffff:0.0.0.0"), 2000).allowed);
}

TEST(CheckBind, DeniedReasonMentionsBindAllow) {
    const Policy p({}, {});
    const auto d = p.check_bind(ip("127.0.0.1"), 80);
    EXPECT_FALSE(d.allowed);
    EXPECT_NE(d.reason.find("127.0.0.1:80"), std::string::npos) << d.reason;
    EXPECT_NE(d.reason.find("--bind-allow 127.0.0.1/32:80"), std::string::npos) << d.reason;
    EXPECT_NE(d.reason.find("127.0.0.0/8:1024-65535, ::1/128:1024-65535"), std::string::npos) << d.reason;
}

TEST(CheckBind, DeniedEphemeralBindSuggestsUnprivilegedRange) {
    const Policy p({}, {});
    const auto d = p.check_bind(ip("10.0.0.1"), 0);
    EXPECT_FALSE(d.allowed);
    EXPECT_NE(d.reason.find("--bind-allow 10.0.0.1/32:1024-65535"), std::string::npos) << d.reason;
}

// ---- describe ----

TEST(Describe, DefaultsReadAsPlainWords) {
    EXPECT_EQ(Policy({}, {}).describe(),
              "connect/send to tcp+udp 127.0.0.0/8, any port\n"
              "connect/send to tcp+udp ::1/128, any port\n"
              "listen/bind on 127.0.0.0/8, ports 1024-65535\n"
              "listen/bind on ::1/128, ports 1024-65535");
}

TEST(Describe, NamesSingleProtocolAndSinglePort) {
    EXPECT_EQ(Policy({"udp:10.0.0.0/8:53"}, {"127.0.0.1:*"}).describe(),
              "connect/send to udp 10.0.0.0/8, port 53\n"
              "listen/bind on 127.0.0.1/32, any port");
}

}  // namespace
}  // namespace sockgate::gateway
