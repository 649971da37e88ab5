// Binary and textual IP addresses as they appear on the wire.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sockgate::proto {

// An IPv4 or IPv6 address in network byte order. IPv4 uses the first 4 bytes.
struct IpAddress {
    uint8_t family = 4;  // 4 or 6, as in DATAGRAM frames
    std::array<uint8_t, 16> bytes{};

    size_t size() const { return family == 4 ? 4 : 16; }
    std::string to_string() const;
    // Numeric text only ("127.0.0.1", "::1"); names are not resolved here.
    static std::optional<IpAddress> parse(std::string_view text);

    friend bool operator==(const IpAddress& a, const IpAddress& b) {
        return a.family == b.family && a.bytes == b.bytes;
    }
    friend bool operator!=(const IpAddress& a, const IpAddress& b) { return !(a == b); }
};

// {"addr": "127.0.0.1", "port": 12345}
struct Endpoint {
    std::string addr;
    uint16_t port = 0;

    friend bool operator==(const Endpoint& a, const Endpoint& b) { return a.addr == b.addr && a.port == b.port; }
};

}  // namespace sockgate::proto
