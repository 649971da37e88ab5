// Unmasking WebSocket payload from a browser, a word at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sockgate::gateway {

// XORs `len` bytes at `data` (any alignment) with a masking key in
// websocketpp's "prepared" form: the four key bytes repeated across a
// size_t, in memory order, rotated so its first byte applies to data[0].
// Returns the key rotated past these bytes, ready for the next chunk of
// the same frame.
inline size_t unmask_prepared(uint8_t* data, size_t len, size_t prepared_key) {
    constexpr size_t kWord = sizeof(size_t);
    size_t i = 0;
    // memcpy, not a cast: the payload sits at any offset in the read buffer.
    for (; i + kWord <= len; i += kWord) {
        size_t word;
        std::memcpy(&word, data + i, kWord);
        word ^= prepared_key;
        std::memcpy(data + i, &word, kWord);
    }
    uint8_t key[kWord];
    std::memcpy(key, &prepared_key, kWord);
    for (size_t k = 0; i < len; ++i, ++k) data[i] ^= key[k];

    const size_t shift = len % kWord;
    uint8_t rotated[kWord];
    for (size_t k = 0; k < kWord; ++k) rotated[k] = key[(k + shift) % kWord];
    std::memcpy(&prepared_key, rotated, kWord);
    return prepared_key;
}

}  // namespace sockgate::gateway
