#include "protocol/frame.hpp"

#include <cstring>

namespace sockgate::proto {
namespace {

uint32_t read_u32(const uint8_t* p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

void write_u32(uint8_t* p, uint32_t v) {
    p[0] = uint8_t(v >> 24);
    p[1] = uint8_t(v >> 16);
    p[2] = uint8_t(v >> 8);
    p[3] = uint8_t(v);
}

}  // namespace

const char* to_string(FrameError e) {
    switch (e) {
        case FrameError::none:
            return "no error";
        case FrameError::too_short:
            return "frame too short";
        case FrameError::unknown_kind:
            return "unknown frame kind";
        case FrameError::empty_data:
            return "DATA frame without payload";
        case FrameError::bad_family:
            return "DATAGRAM address family must be 4 or 6";
        case FrameError::datagram_too_big:
            return "DATAGRAM payload over 65507 bytes";
        case FrameError::zero_window:
            return "WINDOW increment must be greater than 0";
        case FrameError::trailing_bytes:
            return "WINDOW frame has trailing bytes";
    }
    return "unknown frame error";
}

DecodeResult decode_frame(std::string_view bytes) {
    DecodeResult r;
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    const size_t n = bytes.size();
    if (n < kFrameHeaderSize) {
        r.error = FrameError::too_short;
        return r;
    }
    r.has_sock = true;
    r.frame.sock = read_u32(p + 1);
    const uint8_t kind = p[0];
    switch (kind) {
        case uint8_t(FrameKind::data):
            r.frame.kind = FrameKind::data;
            if (n == kFrameHeaderSize) {
                r.error = FrameError::empty_data;
                return r;
            }
            r.frame.payload = bytes.substr(kFrameHeaderSize);
            return r;
        case uint8_t(FrameKind::datagram): {
            r.frame.kind = FrameKind::datagram;
            if (n < kFrameHeaderSize + 1) {
                r.error = FrameError::too_short;
                return r;
            }
            const uint8_t family = p[kFrameHeaderSize];
            if (family != 4 && family != 6) {
                r.error = FrameError::bad_family;
                return r;
            }
            const size_t header = datagram_header_size(family);
            if (n < header) {
                r.error = FrameError::too_short;
                return r;
            }
            if (n - header > kMaxDatagramPayload) {
                r.error = FrameError::datagram_too_big;
                return r;
            }
            IpAddress addr;
            addr.family = family;
            std::memcpy(addr.bytes.data(), p + kFrameHeaderSize + 1, addr.size());
            r.frame.peer_addr = addr;
            r.frame.peer_port = uint16_t((p[header - 2] << 8) | p[header - 1]);
            r.frame.payload = bytes.substr(header);
            return r;
        }
        case uint8_t(FrameKind::window):
            r.frame.kind = FrameKind::window;
            if (n < kFrameHeaderSize + 4) {
                r.error = FrameError::too_short;
                return r;
            }
            if (n > kFrameHeaderSize + 4) {
                r.error = FrameError::trailing_bytes;
                return r;
            }
            r.frame.increment = read_u32(p + kFrameHeaderSize);
            if (r.frame.increment == 0) r.error = FrameError::zero_window;
            return r;
        default:
            r.error = FrameError::unknown_kind;
            return r;
    }
}

void write_frame_header(uint8_t* out, FrameKind kind, uint32_t sock) {
    out[0] = uint8_t(kind);
    write_u32(out + 1, sock);
}

void write_datagram_header(uint8_t* out, uint32_t sock, const IpAddress& addr, uint16_t port) {
    write_frame_header(out, FrameKind::datagram, sock);
    out[kFrameHeaderSize] = addr.family;
    std::memcpy(out + kFrameHeaderSize + 1, addr.bytes.data(), addr.size());
    const size_t header = datagram_header_size(addr.family);
    out[header - 2] = uint8_t(port >> 8);
    out[header - 1] = uint8_t(port);
}

std::string encode_data(uint32_t sock, std::string_view payload) {
    std::string out(kFrameHeaderSize + payload.size(), '\0');
    auto* p = reinterpret_cast<uint8_t*>(out.data());
    write_frame_header(p, FrameKind::data, sock);
    std::memcpy(p + kFrameHeaderSize, payload.data(), payload.size());
    return out;
}

std::string encode_datagram(uint32_t sock, const IpAddress& addr, uint16_t port, std::string_view payload) {
    const size_t header = datagram_header_size(addr.family);
    std::string out(header + payload.size(), '\0');
    auto* p = reinterpret_cast<uint8_t*>(out.data());
    write_datagram_header(p, sock, addr, port);
    std::memcpy(p + header, payload.data(), payload.size());
    return out;
}

std::string encode_window(uint32_t sock, uint32_t increment) {
    std::string out(kFrameHeaderSize + 4, '\0');
    auto* p = reinterpret_cast<uint8_t*>(out.data());
    write_frame_header(p, FrameKind::window, sock);
    write_u32(p + kFrameHeaderSize, increment);
    return out;
}

}  // namespace sockgate::proto
