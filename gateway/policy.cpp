#include "gateway/policy.hpp"

#include <algorithm>
#include <cctype>

namespace sockgate::gateway {

using proto::IpAddress;

namespace {

// ---- addresses ----

unsigned address_bits(uint8_t family) { return family == 4 ? 32 : 128; }

// ::ffff:a.b.c.d reaches the IPv4 host a.b.c.d, so it is judged as that
// address; otherwise ::ffff:10.0.0.1 would slip past an IPv4-only rule set.
IpAddress unmap_ipv4(const IpAddress& a) {
    static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (a.family != 6 || !std::equal(std::begin(kMappedPrefix), std::end(kMappedPrefix), a.bytes.begin())) return a;
    IpAddress v4;
    v4.family = 4;
    std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.bytes.begin());
    return v4;
}

// Zeroes every bit after the first `prefix` bits (and the unused bytes of IPv4).
IpAddress mask_to_prefix(IpAddress a, unsigned prefix) {
    for (unsigned i = 0; i < a.bytes.size(); ++i) {
        const unsigned first_bit = i * 8;
        if (first_bit >= prefix || i >= a.size())
            a.bytes[i] = 0;
        else if (prefix - first_bit < 8)
            a.bytes[i] &= uint8_t(0xff << (8 - (prefix - first_bit)));
    }
    return a;
}

// "1.2.3.4:80", "[::1]:80": how an endpoint reads in messages.
std::string endpoint_text(const IpAddress& a, uint16_t port) {
    const std::string host = a.family == 6 ? "[" + a.to_string() + "]" : a.to_string();
    return host + ":" + std::to_string(port);
}

// ---- rule text ----

[[noreturn]] void fail(const std::string& kind, const std::string& text, const std::string& what) {
    throw PolicyError("bad " + kind + " rule '" + text + "': " + what);
}

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// A decimal number no greater than `max`; nullopt for anything else.
std::optional<unsigned long> parse_number(const std::string& s, unsigned long max) {
    if (!all_digits(s) || s.size() > 6) return std::nullopt;
    const unsigned long v = std::stoul(s);
    if (v > max) return std::nullopt;
    return v;
}

PortRange parse_ports(const std::string& text, const std::string& kind, const std::string& rule) {
    if (text.empty()) fail(kind, rule, "missing ports (use N, N-M or *)");
    if (text == "*") return PortRange{0, 65535};
    const auto dash = text.find('-');
    const std::string first_text = text.substr(0, dash);
    const std::string last_text = dash == std::string::npos ? first_text : text.substr(dash + 1);
    const auto first = parse_number(first_text, 65535);
    const auto last = parse_number(last_text, 65535);
    if (!first || !last) fail(kind, rule, "'" + text + "' is not a port (0-65535), a port range N-M or *");
    if (*first > *last) fail(kind, rule, "port range '" + text + "' runs backwards (first port above last)");
    return PortRange{uint16_t(*first), uint16_t(*last)};
}

// "127.0.0.0/8", "::1", "[::1]/128". A CIDR inside ::ffff:0:0/96 becomes the
// IPv4 CIDR it describes, because mapped addresses are checked as IPv4.
Cidr parse_cidr(const std::string& text, const std::string& kind, const std::string& rule) {
    if (text.empty()) fail(kind, rule, "missing address");
    std::string addr_text;
    std::string prefix_text;
    bool has_prefix = false;
    bool bracketed = false;
    if (text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos) fail(kind, rule, "'[' without a closing ']'");
        bracketed = true;
        addr_text = text.substr(1, close - 1);
        const std::string after = text.substr(close + 1);
        if (!after.empty() && after.front() != '/')
            fail(kind, rule, "unexpected '" + after + "' after ']' (expected /PREFIX)");
        has_prefix = !after.empty();
        if (has_prefix) prefix_text = after.substr(1);
    } else {
        const auto slash = text.find('/');
        addr_text = text.substr(0, slash);
        has_prefix = slash != std::string::npos;
        if (has_prefix) prefix_text = text.substr(slash + 1);
    }

    const auto addr = IpAddress::parse(addr_text);
    if (!addr) {
        std::string what = "'" + addr_text + "' is not a numeric IPv4 or IPv6 address";
        if (addr_text.find(':') != std::string::npos || addr_text.empty())
            what += " (an IPv6 rule still needs its ports part, e.g. any:[::1]/128:*)";
        fail(kind, rule, what);
    }
    if (bracketed && addr->family != 6) fail(kind, rule, "brackets are only for IPv6 addresses");

    const unsigned width = address_bits(addr->family);
    unsigned prefix = width;
    if (has_prefix) {
        const auto n = parse_number(prefix_text, width);
        if (!n) fail(kind, rule, "prefix '/" + prefix_text + "' must be a number from 0 to " + std::to_string(width));
        prefix = unsigned(*n);
    }

    Cidr cidr{*addr, prefix};
    const IpAddress v4 = unmap_ipv4(*addr);
    if (v4.family == 4 && addr->family == 6 && prefix >= 96) cidr = Cidr{v4, prefix - 96};
    cidr.base = mask_to_prefix(cidr.base, cidr.prefix);
    return cidr;
}

void reject_control_characters(const std::string& text, const std::string& kind) {
    const bool has_control =
        std::any_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
    if (has_control) throw PolicyError("bad " + kind + " rule: it contains control characters");
}

std::optional<Proto> parse_proto(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (text == "tcp") return Proto::tcp;
    if (text == "udp") return Proto::udp;
    if (text == "any") return Proto::any;
    return std::nullopt;
}

const char* proto_name(Proto p) {
    switch (p) {
        case Proto::tcp:
            return "tcp";
        case Proto::udp:
            return "udp";
        case Proto::any:
            return "any";
    }
    return "any";
}

// "tcp+udp" reads better than "any" in a sentence.
const char* proto_words(Proto p) { return p == Proto::any ? "tcp+udp" : proto_name(p); }

std::string ports_words(const PortRange& r) {
    if (r.first == 0 && r.last == 65535) return "any port";
    if (r.first == r.last) return "port " + std::to_string(r.first);
    return "ports " + r.to_string();
}

// The narrowest CIDR naming exactly this address.
std::string host_cidr_text(const IpAddress& a) { return Cidr{a, address_bits(a.family)}.to_string(); }

template <class Rule>
std::string rule_list(const std::vector<Rule>& rules) {
    std::string out;
    for (const auto& r : rules) out += (out.empty() ? "" : ", ") + r.text;
    return out.empty() ? "none" : out;
}

}  // namespace

// ---- public ----

bool Cidr::contains(const IpAddress& a) const {
    const IpAddress addr = unmap_ipv4(a);
    if (addr.family != base.family) return false;
    const unsigned bits = std::min(prefix, address_bits(base.family));
    return mask_to_prefix(addr, bits) == mask_to_prefix(base, bits);
}

std::string Cidr::to_string() const { return base.to_string() + "/" + std::to_string(prefix); }

std::string PortRange::to_string() const {
    if (first == 0 && last == 65535) return "*";
    if (first == last) return std::to_string(first);
    return std::to_string(first) + "-" + std::to_string(last);
}

AllowRule parse_allow_rule(const std::string& text) {
    const std::string kind = "allow";
    reject_control_characters(text, kind);
    // IPv6 addresses contain colons: PROTO ends at the first, PORTS starts after the last.
    const auto first_colon = text.find(':');
    const auto last_colon = text.rfind(':');
    if (first_colon == std::string::npos || first_colon == last_colon)
        fail(kind, text, "expected PROTO:CIDR:PORTS, e.g. tcp:127.0.0.0/8:*");

    const std::string proto_text = text.substr(0, first_colon);
    const auto proto = parse_proto(proto_text);
    if (!proto)
        fail(kind, text,
             proto_text.empty() ? "missing protocol (use tcp, udp or any)"
                                : "unknown protocol '" + proto_text + "' (use tcp, udp or any)");

    AllowRule rule;
    rule.proto = *proto;
    rule.cidr = parse_cidr(text.substr(first_colon + 1, last_colon - first_colon - 1), kind, text);
    rule.ports = parse_ports(text.substr(last_colon + 1), kind, text);
    rule.text = std::string(proto_name(rule.proto)) + ":" + rule.cidr.to_string() + ":" + rule.ports.to_string();
    return rule;
}

BindRule parse_bind_rule(const std::string& text) {
    const std::string kind = "bind-allow";
    reject_control_characters(text, kind);
    const auto last_colon = text.rfind(':');
    if (last_colon == std::string::npos) fail(kind, text, "expected CIDR:PORTS, e.g. 127.0.0.0/8:1024-65535");

    BindRule rule;
    rule.cidr = parse_cidr(text.substr(0, last_colon), kind, text);
    rule.ports = parse_ports(text.substr(last_colon + 1), kind, text);
    rule.text = rule.cidr.to_string() + ":" + rule.ports.to_string();
    return rule;
}

Cidr parse_cidr_rule(const std::string& text, const std::string& kind) {
    reject_control_characters(text, kind);
    return parse_cidr(text, kind, text);
}

Policy::Policy(const std::vector<std::string>& allow, const std::vector<std::string>& bind_allow) {
    static const std::vector<std::string> kDefaultAllow = {"any:127.0.0.0/8:*", "any:::1/128:*"};
    static const std::vector<std::string> kDefaultBind = {"127.0.0.0/8:1024-65535", "::1/128:1024-65535"};
    for (const auto& text : allow.empty() ? kDefaultAllow : allow) allow_.push_back(parse_allow_rule(text));
    for (const auto& text : bind_allow.empty() ? kDefaultBind : bind_allow) bind_.push_back(parse_bind_rule(text));
}

Decision Policy::check_destination(Proto proto, const IpAddress& addr, uint16_t port) const {
    // A rule for one protocol does not cover a request for "any".
    for (const auto& rule : allow_) {
        const bool proto_ok = rule.proto == Proto::any || rule.proto == proto;
        if (proto_ok && rule.cidr.contains(addr) && rule.ports.contains(port)) return Decision{true, rule.text, {}};
    }
    const IpAddress target = unmap_ipv4(addr);
    Decision d;
    d.reason = std::string(proto_name(proto)) + " to " + endpoint_text(target, port) +
               " is not allowed: no --allow rule covers it (rules: " + rule_list(allow_) + "). Allow it with --allow " +
               proto_name(proto) + ":" + host_cidr_text(target) + ":" + std::to_string(port);
    return d;
}

Decision Policy::check_bind(const IpAddress& addr, uint16_t port) const {
    for (const auto& rule : bind_) {
        if (rule.cidr.contains(addr) && (port == 0 || rule.ports.contains(port))) return Decision{true, rule.text, {}};
    }
    const IpAddress target = unmap_ipv4(addr);
    // For an ephemeral port, suggest the unprivileged range rather than port 0.
    const std::string ports = port == 0 ? "1024-65535" : std::to_string(port);
    Decision d;
    d.reason = "listening or binding on " + endpoint_text(target, port) +
               " is not allowed: no --bind-allow rule covers it (rules: " + rule_list(bind_) +
               "). Allow it with --bind-allow " + host_cidr_text(target) + ":" + ports;
    return d;
}

std::string Policy::describe() const {
    std::string out;
    for (const auto& r : allow_) {
        out += std::string("connect/send to ") + proto_words(r.proto) + " " + r.cidr.to_string() + ", " +
               ports_words(r.ports) + "\n";
    }
    for (const auto& r : bind_) out += "listen/bind on " + r.cidr.to_string() + ", " + ports_words(r.ports) + "\n";
    if (!out.empty()) out.pop_back();
    return out;
}

}  // namespace sockgate::gateway
