// A WebSocket client with no manners, for tests that play a hostile or
// broken browser: it upgrades, sends what it is told, and reads only when
// asked (or never).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/native_peers.hpp"

namespace sockgate::testing {

struct WsFrame {
    uint8_t opcode = 0;  // 1 text, 2 binary, 8 close, 9 ping, 10 pong
    std::string payload;
    // For a close frame: its status code (0 if it carried none).
    uint16_t close_code() const;
};

// One final frame as a client must send it: masked (with a fixed key; the
// gateway only has to unmask it). Opcode 1 text, 2 binary.
std::string masked_frame(uint8_t opcode, const std::string& payload);

class RawWebSocket {
public:
    // Opens a TCP connection to the gateway on 127.0.0.1:port. A receive
    // buffer size other than 0 is set before connecting, so a client that
    // does not read fills up soon.
    explicit RawWebSocket(uint16_t port, int receive_buffer = 0);

    bool connected() const { return bool(fd_); }
    // Sends the upgrade request for /ws with sockgate's subprotocol.
    bool send_upgrade();
    // Reads the response head; its status (101 when upgraded), or 0 when
    // none came in time or the connection closed.
    int read_upgrade_status(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Both of the above.
    bool upgrade() { return send_upgrade() && read_upgrade_status() == 101; }

    // A masked text frame. False if it could not all be written in time
    // (the gateway stopped reading) or the connection failed.
    bool send_text(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Several text frames in one write, so they reach the gateway together.
    bool send_texts(const std::vector<std::string>& texts, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Bytes accepted by send_text so far, counting partial frames.
    uint64_t bytes_sent() const { return sent_; }
    // The next frame, if one arrives in time.
    std::optional<WsFrame> read_frame(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // True once the gateway has closed the TCP connection (reads hit end of
    // file or a reset), waiting up to `timeout`; frames read meanwhile are
    // discarded.
    bool wait_closed(std::chrono::milliseconds timeout);

private:
    bool write_bytes(const std::string& bytes, std::chrono::milliseconds timeout);
    bool fill(size_t n, std::chrono::steady_clock::time_point deadline);

    Fd fd_;
    uint16_t port_;
    std::string in_;  // bytes read but not yet consumed
    uint64_t sent_ = 0;
};

}  // namespace sockgate::testing
