// What every byte stream in the soak carries: a deterministic pseudo-random
// payload named by a seed, and the checksum the receiving side compares.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sockgate::soak {

// SplitMix64: derives independent seeds from (run seed, session, slot, op).
inline uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

std::string payload_bytes(size_t n, uint64_t seed);

// FNV-1a, fed piece by piece, with the length it has seen.
class StreamChecksum {
public:
    void add(std::string_view bytes);
    uint64_t value() const { return hash_; }
    uint64_t bytes() const { return bytes_; }
    bool operator==(const StreamChecksum& o) const { return hash_ == o.hash_ && bytes_ == o.bytes_; }

private:
    uint64_t hash_ = 1469598103934665603ull;
    uint64_t bytes_ = 0;
};

StreamChecksum checksum_of(std::string_view bytes);

// Where two byte strings first differ (for failure messages); npos if equal.
size_t first_difference(std::string_view a, std::string_view b);

}  // namespace sockgate::soak
