#include "bench/payload.hpp"

#include <cstring>

namespace sockgate::bench {
namespace {

uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

char filler_byte(uint64_t tag, size_t i) { return char(uint8_t((tag * 131 + i * 29 + 7) & 0xff)); }

}  // namespace

// ---------------------------------------------------------------- PatternSource

PatternSource::PatternSource() {
    bytes_.resize(kPeriod + kMaxSlice);
    uint64_t state = 0x5EED;
    for (size_t i = 0; i < kPeriod; i += 8) {
        const uint64_t r = splitmix64(state);
        std::memcpy(&bytes_[i], &r, std::min<size_t>(8, kPeriod - i));
    }
    std::memcpy(&bytes_[kPeriod], bytes_.data(), kMaxSlice);
}

std::string_view PatternSource::slice(uint64_t offset, size_t n) const {
    return std::string_view(bytes_).substr(size_t(offset % kPeriod), n);
}

// ---------------------------------------------------------------- StreamChecksum

void StreamChecksum::update(std::string_view bytes) {
    count_ += bytes.size();
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    size_t n = bytes.size();
    // Top up a word left incomplete by the previous piece.
    while (partial_len_ != 0 && n != 0) {
        partial_ |= uint64_t(*p++) << (8 * partial_len_);
        --n;
        if (++partial_len_ == 8) {
            mix(partial_);
            partial_ = 0;
            partial_len_ = 0;
        }
    }
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t word;
        std::memcpy(&word, p, 8);  // little-endian hosts only, like the rest of the bench
        mix(word);
    }
    for (; n != 0; --n) partial_ |= uint64_t(*p++) << (8 * partial_len_++);
}

uint64_t StreamChecksum::value() const {
    StreamChecksum tail = *this;
    if (tail.partial_len_) tail.mix(tail.partial_);
    tail.mix(count_);
    return tail.hash_;
}

// ---------------------------------------------------------------- tagged messages

std::string make_tagged_message(uint64_t tag, size_t size) {
    std::string m(size < 8 ? 8 : size, '\0');
    std::memcpy(m.data(), &tag, 8);
    for (size_t i = 8; i < m.size(); ++i) m[i] = filler_byte(tag, i);
    return m;
}

bool read_tagged_message(std::string_view message, uint64_t& tag) {
    if (message.size() < 8) return false;
    std::memcpy(&tag, message.data(), 8);
    for (size_t i = 8; i < message.size(); ++i)
        if (message[i] != filler_byte(tag, i)) return false;
    return true;
}

}  // namespace sockgate::bench
