#include "gateway/client_address.hpp"

#include <algorithm>
#include <cctype>

namespace sockgate::gateway {

using proto::IpAddress;

namespace {

// IPv4 clients reach a dual-stack socket as ::ffff:a.b.c.d; counted as IPv4
// so one client is one address however it arrived.
IpAddress unmapped(const IpAddress& a) {
    if (a.family != 6) return a;
    for (int i = 0; i < 10; ++i)
        if (a.bytes[size_t(i)] != 0) return a;
    if (a.bytes[10] != 0xff || a.bytes[11] != 0xff) return a;
    IpAddress v4;
    v4.family = 4;
    std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.bytes.begin());
    return v4;
}

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::vector<std::string> split_hops(const std::string& header) {
    std::vector<std::string> hops;
    if (trim(header).empty()) return hops;
    size_t start = 0;
    for (;;) {
        const auto comma = header.find(',', start);
        hops.push_back(trim(header.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
        if (comma == std::string::npos) return hops;
        start = comma + 1;
    }
}

// One hop as proxies write it: "203.0.113.7", "2001:db8::1", and with a
// port, which some proxies add, "203.0.113.7:4711" or "[2001:db8::1]:4711".
std::optional<IpAddress> parse_hop(const std::string& hop) {
    std::string text = hop;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos) return std::nullopt;
        const std::string after = text.substr(close + 1);
        if (!after.empty() &&
            (after.front() != ':' || after.size() == 1 ||
             !std::all_of(after.begin() + 1, after.end(), [](unsigned char c) { return std::isdigit(c); })))
            return std::nullopt;
        text = text.substr(1, close - 1);
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        const auto colon = text.find(':');
        const std::string port = text.substr(colon + 1);
        if (port.empty() || !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }))
            return std::nullopt;
        text = text.substr(0, colon);
    }
    auto a = IpAddress::parse(text);
    if (!a) return std::nullopt;
    return unmapped(*a);
}

// Entries are shown in messages, which must stay one short line.
std::string shown(const std::string& hop) {
    std::string out;
    for (char c : hop.substr(0, 64)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    return hop.size() > 64 ? out + "..." : out;
}

}  // namespace

TrustedProxies::TrustedProxies(const std::vector<std::string>& cidrs) {
    for (const auto& text : cidrs) ranges_.push_back(parse_cidr_rule(text, "trust-proxy"));
}

bool TrustedProxies::trusts(const IpAddress& address) const {
    return std::any_of(ranges_.begin(), ranges_.end(), [&](const Cidr& c) { return c.contains(address); });
}

bool TrustedProxies::trusts(const std::string& address) const {
    const auto a = IpAddress::parse(address);
    return a && trusts(*a);
}

ClientAddress client_behind_proxy(const TrustedProxies& trusted, const std::string& peer,
                                  const std::string& x_forwarded_for, const std::string& x_real_ip) {
    std::vector<std::string> hops = split_hops(x_forwarded_for);
    const char* header = "X-Forwarded-For";
    if (hops.empty() && !trim(x_real_ip).empty()) {
        hops = {trim(x_real_ip)};
        header = "X-Real-IP";
    }
    ClientAddress out{peer, false, ""};
    std::optional<IpAddress> current = IpAddress::parse(peer);
    for (auto it = hops.rbegin(); it != hops.rend() && current && trusted.trusts(*current); ++it) {
        const auto hop = parse_hop(*it);
        if (!hop) {
            out.problem = std::string(header) + " entry '" + shown(*it) + "' is not an IP address";
            break;
        }
        current = hop;
        out.address = hop->to_string();
        out.forwarded = true;
    }
    return out;
}

}  // namespace sockgate::gateway
