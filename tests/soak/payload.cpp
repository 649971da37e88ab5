#include "soak/payload.hpp"

#include <algorithm>
#include <cstring>

namespace sockgate::soak {

std::string payload_bytes(size_t n, uint64_t seed) {
    std::string out(n, '\0');
    uint64_t x = mix(seed) | 1;
    size_t i = 0;
    while (i < n) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const size_t take = std::min<size_t>(8, n - i);
        std::memcpy(&out[i], &x, take);
        i += take;
    }
    return out;
}

void StreamChecksum::add(std::string_view bytes) {
    for (unsigned char c : bytes) {
        hash_ ^= c;
        hash_ *= 1099511628211ull;
    }
    bytes_ += bytes.size();
}

StreamChecksum checksum_of(std::string_view bytes) {
    StreamChecksum c;
    c.add(bytes);
    return c;
}

size_t first_difference(std::string_view a, std::string_view b) {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return i;
    return a.size() == b.size() ? std::string_view::npos : n;
}

}  // namespace sockgate::soak
