#include "protocol/address.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace sockgate::proto {

std::string IpAddress::to_string() const {
    char text[INET6_ADDRSTRLEN] = {};
    const int af = family == 4 ? AF_INET : AF_INET6;
    if (inet_ntop(af, bytes.data(), text, sizeof text) == nullptr) return {};
    return text;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    // inet_pton needs a terminated string; addresses are short.
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    if (text.find('\0') != std::string_view::npos) return std::nullopt;  // inet_pton would stop there
    char buf[INET6_ADDRSTRLEN] = {};
    std::memcpy(buf, text.data(), text.size());
    IpAddress out;
    if (inet_pton(AF_INET, buf, out.bytes.data()) == 1) {
        out.family = 4;
        return out;
    }
    if (inet_pton(AF_INET6, buf, out.bytes.data()) == 1) {
        out.family = 6;
        return out;
    }
    return std::nullopt;
}

}  // namespace sockgate::proto
