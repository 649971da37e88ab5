// A Transport on a WebSocket that JavaScript owns (web/src/sockgate.js).
//
// The page keeps the WebSocket so that stream data can bypass wasm memory:
// it reads and writes DATA frames itself and tells the client core only
// their sizes (Client::on_data_read_elsewhere, Client::take_send_credit).
// Everything else passes through here: JS reports the socket's events with
// the report_* methods, and the core's messages go out with WebSocket.send.
//
// Contract with the JS side: it creates the WebSocket (binaryType
// 'arraybuffer', subprotocol sockgate.v1), attaches it before it can open,
// and reports open at most once, then messages, then close exactly once.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "wasm/core/transport.hpp"

namespace sockgate::client {

class JsTransport final : public Transport {
public:
    JsTransport() = default;
    // Closes the WebSocket if it is still open; reports nothing more.
    ~JsTransport() override;
    JsTransport(const JsTransport&) = delete;
    JsTransport& operator=(const JsTransport&) = delete;

    void attach(emscripten::val socket);

    // What the WebSocket's event handlers report.
    void report_open();
    void report_text(std::string_view text);
    void report_binary(std::string_view bytes);
    void report_close(uint16_t code, std::string_view reason);

    void set_handler(TransportHandler* handler) override { handler_ = handler; }
    void send_text(std::string text) override;
    void send_binary(std::string bytes) override;
    void close(uint16_t code, std::string reason) override;
    size_t buffered_amount() const override;

private:
    TransportHandler* handler_ = nullptr;
    emscripten::val socket_ = emscripten::val::undefined();
    bool open_ = false;
    bool closed_ = false;
};

}  // namespace sockgate::client
