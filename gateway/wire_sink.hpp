// The WebSocket of one session, as the session sees it. Implemented by the
// server over websocketpp, so that session code never includes websocketpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sockgate::gateway {

class WireSink {
public:
    virtual ~WireSink() = default;
    virtual void send_text(const std::string& text) = 0;
    virtual void send_binary(const uint8_t* data, size_t size) = 0;
    virtual void close(uint16_t code, const std::string& reason) = 0;
    virtual size_t buffered_amount() const = 0;
    // Bytes of messages handed to send_text and send_binary so far; with
    // buffered_amount(), how much the peer has taken.
    virtual uint64_t queued_total() const = 0;
};

}  // namespace sockgate::gateway
