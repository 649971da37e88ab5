// A Transport on the browser's WebSocket (emscripten/websocket.h), for the
// client core compiled to wasm. Only built with Emscripten.
#pragma once

#include <emscripten/websocket.h>

#include <cstdint>
#include <string>

#include "wasm/core/transport.hpp"

namespace sockgate::client {

class BrowserTransport final : public Transport {
public:
    BrowserTransport() = default;
    // Closes the WebSocket without waiting and reports nothing more.
    ~BrowserTransport() override;
    BrowserTransport(const BrowserTransport&) = delete;
    BrowserTransport& operator=(const BrowserTransport&) = delete;

    // Starts connecting to a ws:// or wss:// URL, offering sockgate.v1.
    // Success: on_open; failure: on_close(close_code::abnormal, reason).
    void open(const std::string& url);

    void set_handler(TransportHandler* handler) override { handler_ = handler; }
    void send_text(std::string text) override;
    void send_binary(std::string bytes) override;
    void close(uint16_t code, std::string reason) override;
    size_t buffered_amount() const override;

    bool is_open() const { return open_; }

private:
    static EM_BOOL on_open_cb(int type, const EmscriptenWebSocketOpenEvent* event, void* self);
    static EM_BOOL on_message_cb(int type, const EmscriptenWebSocketMessageEvent* event, void* self);
    static EM_BOOL on_error_cb(int type, const EmscriptenWebSocketErrorEvent* event, void* self);
    static EM_BOOL on_close_cb(int type, const EmscriptenWebSocketCloseEvent* event, void* self);
    void report_close(uint16_t code, std::string_view reason);

    TransportHandler* handler_ = nullptr;
    EMSCRIPTEN_WEBSOCKET_T socket_ = 0;  // 0 before open
    bool open_ = false;
    bool closed_reported_ = false;
};

}  // namespace sockgate::client
