// A Transport on websocketpp's asio client, for native tools and tests.
//
// websocketpp stays inside native_transport.cpp: including this header costs
// no websocketpp (or asio) compile time.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "protocol/messages.hpp"
#include "wasm/core/transport.hpp"

namespace asio {
class io_context;
}

namespace sockgate::client {

struct TransportOptions {
    // Sent as the Origin header when not empty (browsers always send one;
    // the gateway checks it).
    std::string origin;
    // Offered in Sec-WebSocket-Protocol, in order. Empty: no header at all.
    std::vector<std::string> subprotocols{proto::kSubprotocol};
    // Treat the connection as failed (close code 1002, error EPROTO) when the
    // server agrees to none of the offered subprotocols.
    bool require_subprotocol = true;
    // Extra request headers.
    std::vector<std::pair<std::string, std::string>> headers;
    // TCP connect plus opening handshake; on expiry opening fails (ETIMEDOUT).
    std::chrono::milliseconds open_timeout{5000};
    // Larger incoming messages make the transport close with 1009.
    size_t max_message_size = 64u << 20;
};

enum class TransportState { idle, connecting, open, closing, closed };
const char* to_string(TransportState state);

// What became of the connection, for tools and tests to report.
struct TransportStatus {
    TransportState state = TransportState::idle;
    // The HTTP status of the handshake response (101 when it succeeded),
    // 0 when no response arrived.
    int http_status = 0;
    // The subprotocol the server selected ("" for none).
    std::string subprotocol;
    // As reported to on_close (close_code::abnormal when there was no close
    // frame or opening failed).
    uint16_t close_code = 0;
    std::string close_reason;
    // Why opening failed or the connection broke: an errno name where one
    // fits (ECONNREFUSED, ETIMEDOUT, EINVAL for a bad URL, EPROTO for a bad
    // handshake), or "HTTP_<status>" when the server answered the upgrade
    // with another status, e.g. "HTTP_403". Empty when all went well.
    std::string error_code;
    std::string error_message;
};

class NativeTransport final : public Transport {
public:
    // All work runs on `io`, which the caller owns and runs. Handler calls
    // come from the thread running it; call the transport from there too.
    explicit NativeTransport(asio::io_context& io);
    // Abandons the connection without a closing handshake and reports nothing
    // more. The io_context must still be run (or destroyed) afterwards so
    // pending operations can finish.
    ~NativeTransport() override;
    NativeTransport(const NativeTransport&) = delete;
    NativeTransport& operator=(const NativeTransport&) = delete;

    // Starts connecting to a ws:// URL. Success is reported by on_open,
    // failure by on_close(close_code::abnormal, reason) with details in
    // status(). Call once.
    void open(const std::string& url, const TransportOptions& options = {});

    void set_handler(TransportHandler* handler) override;
    void send_text(std::string text) override;
    void send_binary(std::string bytes) override;
    void close(uint16_t code, std::string reason) override;
    size_t buffered_amount() const override;

    // Stop / restart reading from the network, like a browser tab too busy
    // to run its event loop: the peer's writes back up. For tests.
    void pause_reading();
    void resume_reading();

    const TransportStatus& status() const;

private:
    class Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace sockgate::client
