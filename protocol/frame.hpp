// Binary frames of sockgate.v1: byte 0 kind, bytes 1-4 socket id (big-endian),
// then a kind-specific body. See docs/PROTOCOL.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/address.hpp"

namespace sockgate::proto {

enum class FrameKind : uint8_t {
    data = 0x01,
    datagram = 0x02,
    window = 0x03,
};

constexpr size_t kFrameHeaderSize = 5;         // kind + socket id
constexpr size_t kMaxDatagramPayload = 65507;  // largest UDP payload over IPv4
constexpr size_t kDatagramHeaderMax = kFrameHeaderSize + 1 + 16 + 2;

enum class FrameError {
    none,
    too_short,         // fewer than 5 bytes, or a body cut short
    unknown_kind,      // byte 0 is not a known kind
    empty_data,        // DATA without payload
    bad_family,        // DATAGRAM family byte not 4 or 6
    datagram_too_big,  // DATAGRAM payload over kMaxDatagramPayload
    zero_window,       // WINDOW increment 0
    trailing_bytes,    // WINDOW longer than 9 bytes
};

const char* to_string(FrameError e);

// A decoded frame. `payload` points into the buffer given to decode_frame and
// is only valid while that buffer is.
struct Frame {
    FrameKind kind = FrameKind::data;
    uint32_t sock = 0;
    std::string_view payload;  // DATA and DATAGRAM
    IpAddress peer_addr;       // DATAGRAM
    uint16_t peer_port = 0;    // DATAGRAM
    uint32_t increment = 0;    // WINDOW
};

struct DecodeResult {
    FrameError error = FrameError::none;
    Frame frame;
    // The socket id when at least the header was readable (for error reports).
    bool has_sock = false;

    explicit operator bool() const { return error == FrameError::none; }
};

DecodeResult decode_frame(std::string_view bytes);

// Writes the 5-byte header at `out`. Lets a reader fill the payload in place
// behind a reserved header, so relaying needs no extra copy.
void write_frame_header(uint8_t* out, FrameKind kind, uint32_t sock);

std::string encode_data(uint32_t sock, std::string_view payload);
std::string encode_datagram(uint32_t sock, const IpAddress& addr, uint16_t port, std::string_view payload);
std::string encode_window(uint32_t sock, uint32_t increment);

// Size of a DATAGRAM header for the given family (5 + 1 + 4|16 + 2).
constexpr size_t datagram_header_size(uint8_t family) { return kFrameHeaderSize + 1 + (family == 4 ? 4 : 16) + 2; }
// Writes a DATAGRAM header at `out` (datagram_header_size(addr.family) bytes).
void write_datagram_header(uint8_t* out, uint32_t sock, const IpAddress& addr, uint16_t port);

}  // namespace sockgate::proto
