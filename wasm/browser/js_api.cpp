// The embind surface of sockgate_client.mjs: what web/src/sockgate.js calls.
// The semantics of each method and event are in js_session.hpp.
#include <emscripten/bind.h>

#include "protocol/frame.hpp"
#include "protocol/messages.hpp"
#include "wasm/browser/js_session.hpp"

using sockgate::client::js::JsSession;

namespace {

std::string client_version() { return SOCKGATE_VERSION; }
// What web/src/sockgate.js needs of the wire format to open the WebSocket
// and to read and write DATA and DATAGRAM frames itself (protocol/frame.hpp).
std::string subprotocol() { return sockgate::proto::kSubprotocol; }

}  // namespace

EMSCRIPTEN_BINDINGS(sockgate_client) {
    emscripten::function("version", &client_version);
    emscripten::function("subprotocol", &subprotocol);
    emscripten::constant("frameHeaderSize", int(sockgate::proto::kFrameHeaderSize));
    emscripten::constant("dataFrameKind", int(sockgate::proto::FrameKind::data));
    emscripten::constant("windowFrameKind", int(sockgate::proto::FrameKind::window));
    emscripten::constant("datagramFrameKind", int(sockgate::proto::FrameKind::datagram));
    emscripten::constant("maxDatagramPayload", int(sockgate::proto::kMaxDatagramPayload));

    emscripten::class_<JsSession>("Session")
        .constructor<>()
        .function("setListener", &JsSession::set_listener)
        .function("open", &JsSession::open)
        .function("transportOpen", &JsSession::transport_open)
        .function("transportText", &JsSession::transport_text)
        .function("transportBinary", &JsSession::transport_binary)
        .function("transportClose", &JsSession::transport_close)
        .function("dataArrived", &JsSession::data_arrived)
        .function("takeSendCredit", &JsSession::take_send_credit)
        .function("windowArrived", &JsSession::window_arrived)
        .function("datagramArrived", &JsSession::datagram_arrived)
        .function("takeDatagramSend", &JsSession::take_datagram_send)
        .class_function("addressBytes", &JsSession::address_bytes)
        .class_function("addressText", &JsSession::address_text)
        .function("maxPayload", &JsSession::max_payload)
        .function("connect", &JsSession::connect)
        .function("listen", &JsSession::listen)
        .function("bind", &JsSession::bind)
        .function("shutdown", &JsSession::shutdown)
        .function("close", &JsSession::close)
        .function("resolve", &JsSession::resolve)
        .function("request", &JsSession::request)
        .function("send", &JsSession::send)
        .function("sendTo", &JsSession::send_to)
        .function("setManualCredit", &JsSession::set_manual_credit)
        .function("consume", &JsSession::consume)
        .function("queued", &JsSession::queued)
        .function("closeSession", &JsSession::close_session)
        .function("sockets", &JsSession::sockets)
        .function("info", &JsSession::info)
        .function("state", &JsSession::state)
        .function("forgetClosed", &JsSession::forget_closed)
        .function("setWireTap", &JsSession::set_wire_tap);
}
