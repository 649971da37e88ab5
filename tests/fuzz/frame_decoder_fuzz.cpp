// Binary frames from the network (the gateway decodes the browser's, the
// client the gateway's), and the numeric addresses inside DATAGRAM frames.
// Checks: decode_frame never reads out of bounds, and whatever it accepts
// encodes back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/frame.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace sockgate::proto;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const DecodeResult r = decode_frame(bytes);
    FUZZ_CHECK(r.has_sock == (size >= kFrameHeaderSize), "has_sock with %zu bytes", size);
    FUZZ_CHECK(to_string(r.error) != nullptr, "no text for an error");
    if (r) {
        const Frame& f = r.frame;
        std::string again;
        switch (f.kind) {
            case FrameKind::data:
                FUZZ_CHECK(!f.payload.empty(), "DATA without payload accepted");
                again = encode_data(f.sock, f.payload);
                break;
            case FrameKind::datagram: {
                FUZZ_CHECK(f.payload.size() <= kMaxDatagramPayload, "datagram of %zu bytes", f.payload.size());
                again = encode_datagram(f.sock, f.peer_addr, f.peer_port, f.payload);
                // The address as text (what the client reports) parses back to itself.
                const auto text = f.peer_addr.to_string();
                const auto parsed = IpAddress::parse(text);
                FUZZ_CHECK(parsed && *parsed == f.peer_addr, "address %s does not round-trip", text.c_str());
                break;
            }
            case FrameKind::window:
                FUZZ_CHECK(f.increment > 0, "zero WINDOW accepted");
                again = encode_window(f.sock, f.increment);
                break;
        }
        FUZZ_CHECK(again == bytes, "re-encoding differs (kind %d)", int(f.kind));
        if (!f.payload.empty())
            FUZZ_CHECK(f.payload.data() >= bytes.data() && f.payload.data() + f.payload.size() == bytes.data() + size,
                       "payload is not the tail of the frame");
    }
    // The same bytes as address text (send_to takes one from the page).
    if (size <= 64) {
        const auto addr = IpAddress::parse(bytes);
        if (addr) {
            FUZZ_CHECK(addr->family == 4 || addr->family == 6, "family %d", addr->family);
            const auto again = IpAddress::parse(addr->to_string());
            FUZZ_CHECK(again && *again == *addr, "parsed address does not round-trip");
        }
    }
    return 0;
}
