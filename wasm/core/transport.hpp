// The seam between the client core and a WebSocket implementation.
//
// The core (client.hpp) only ever talks to a Transport and only ever hears
// from one through a TransportHandler. That keeps the core free of asio and
// websocketpp, so the same code runs natively (native/native_transport.hpp)
// and in the browser (a transport on emscripten/websocket.h), and lets the
// unit tests drive it with an in-memory fake.
//
// Threading: a transport calls its handler on one thread at a time, and the
// core calls the transport only from that same thread (for the native
// transport: the thread running the io_context).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/close_codes.hpp"

namespace sockgate::client {

// The close codes, as protocol/close_codes.hpp names them for both sides.
namespace close_code = proto::close_code;

// What a transport reports. Each transport calls on_open at most once, then
// on_text/on_binary any number of times, then on_close exactly once (also
// when opening failed, in which case on_open is never called).
class TransportHandler {
public:
    virtual ~TransportHandler() = default;

    virtual void on_open() = 0;
    // One whole WebSocket message. The view is valid only during the call.
    virtual void on_text(std::string_view text) = 0;
    virtual void on_binary(std::string_view bytes) = 0;
    // The close code the peer sent, or close_code::abnormal when there was
    // none. After this call the transport sends nothing more.
    virtual void on_close(uint16_t code, std::string_view reason) = 0;
};

// A WebSocket connection as the core sees it: already opening or open.
// How it is opened (URL, Origin, subprotocol) is the concrete transport's
// business.
class Transport {
public:
    virtual ~Transport() = default;

    // The handler receives all further reports; nullptr silences them.
    virtual void set_handler(TransportHandler* handler) = 0;

    // Queue one message. Messages go out in call order. Calls made while the
    // transport is not open are dropped (the handler learns why via on_close).
    virtual void send_text(std::string text) = 0;
    virtual void send_binary(std::string bytes) = 0;

    // Start the closing handshake (or abandon the opening one). on_close
    // follows once the connection is down.
    virtual void close(uint16_t code, std::string reason) = 0;

    // Bytes accepted by send_* and not yet written to the network, like the
    // browser's WebSocket.bufferedAmount. Transports that cannot tell say 0.
    virtual size_t buffered_amount() const { return 0; }
};

}  // namespace sockgate::client
