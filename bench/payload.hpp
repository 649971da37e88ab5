// The bytes the workloads send, and how they check what comes back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sockgate::bench {

// An endless, deterministic byte stream: a block of pseudo-random bytes
// repeated. The block's length is odd, so it never lines up with the write
// size: a chunk that went missing or came twice shifts everything after it.
class PatternSource {
public:
    PatternSource();
    // `n` bytes of the stream starting at `offset` (n <= kMaxSlice).
    std::string_view slice(uint64_t offset, size_t n) const;

    static constexpr size_t kPeriod = (1u << 20) + 4093;
    static constexpr size_t kMaxSlice = 1u << 20;

private:
    std::string bytes_;  // one period plus kMaxSlice, so every slice is contiguous
};

// An order-sensitive 64-bit checksum of a byte stream that gives the same
// value however the stream is split into pieces. Eight bytes per multiply,
// so it does not get in the way of a few GiB/s.
class StreamChecksum {
public:
    void update(std::string_view bytes);
    uint64_t value() const;
    uint64_t bytes() const { return count_; }

private:
    void mix(uint64_t word) { hash_ = (hash_ ^ word) * 0x9E3779B97F4A7C15ull; }

    uint64_t hash_ = 0xCBF29CE484222325ull;
    uint64_t partial_ = 0;  // bytes of an incomplete word, little end first
    unsigned partial_len_ = 0;
    uint64_t count_ = 0;
};

// Small messages that say who sent them and when, so an echo can be
// matched exactly: an 8-byte tag, then filler derived from it.
std::string make_tagged_message(uint64_t tag, size_t size);
// True when `message` is exactly make_tagged_message(tag, message.size()).
bool read_tagged_message(std::string_view message, uint64_t& tag);

}  // namespace sockgate::bench
