#include "gateway/origin.hpp"

#include <algorithm>
#include <cctype>

#include "protocol/address.hpp"

namespace sockgate::gateway {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// "127.0.0.1:8080" -> "127.0.0.1", "[::1]:8080" -> "::1", "localhost" -> "localhost"
std::string host_part(const std::string& authority) {
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        return close == std::string::npos ? std::string() : authority.substr(1, close - 1);
    }
    return authority.substr(0, authority.find(':'));
}

}  // namespace

bool origin_allowed(const std::string& origin, const std::string& host_header, const std::vector<std::string>& extra) {
    if (origin.empty()) return true;
    const std::string o = lower(origin);
    for (const auto& e : extra)
        if (lower(e) == o) return true;

    std::string authority;
    if (o.rfind("http://", 0) == 0) {
        authority = o.substr(7);
    } else if (o.rfind("https://", 0) == 0) {
        authority = o.substr(8);
    } else {
        return false;  // "null", file://, extensions: never same-origin
    }
    if (authority.empty() || authority != lower(host_header)) return false;
    const std::string host = host_part(authority);
    return host == "localhost" || proto::IpAddress::parse(host).has_value();
}

}  // namespace sockgate::gateway
