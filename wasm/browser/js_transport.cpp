#include "wasm/browser/js_transport.hpp"

#include <emscripten/wire.h>

#include "wasm/browser/js_values.hpp"

namespace sockgate::client {

using emscripten::val;

namespace {
// Method names made into JS strings once, not on every call.
EMSCRIPTEN_SYMBOL(send);
}  // namespace

JsTransport::~JsTransport() {
    handler_ = nullptr;
    if (!socket_.isUndefined() && !closed_) socket_.call<void>("close", int(close_code::normal));
}

void JsTransport::attach(val socket) { socket_ = std::move(socket); }

void JsTransport::report_open() {
    if (open_ || closed_) return;
    open_ = true;
    if (handler_) handler_->on_open();
}

void JsTransport::report_text(std::string_view text) {
    if (handler_ && !closed_) handler_->on_text(text);
}

void JsTransport::report_binary(std::string_view bytes) {
    if (handler_ && !closed_) handler_->on_binary(bytes);
}

void JsTransport::report_close(uint16_t code, std::string_view reason) {
    if (closed_) return;
    closed_ = true;
    open_ = false;
    if (handler_) handler_->on_close(code, reason);
}

void JsTransport::send_text(std::string text) {
    if (open_) socket_.call<void>(send_symbol, text);
}

void JsTransport::send_binary(std::string bytes) {
    // WebSocket.send copies a view's bytes before it returns, so a view on
    // wasm memory is safe here (nothing can grow the memory in between).
    if (!open_) return;
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    socket_.call<void>(send_symbol, val(emscripten::typed_memory_view(bytes.size(), p)));
}

void JsTransport::close(uint16_t code, std::string reason) {
    if (socket_.isUndefined() || closed_) {
        report_close(code, reason);
        return;
    }
    // A page may only send 1000 or 3000-4999; the browser throws on others.
    if (code != close_code::normal && (code < 3000 || code > 4999)) code = close_code::normal;
    socket_.call<void>("close", int(code), reason);
}

size_t JsTransport::buffered_amount() const {
    return socket_.isUndefined() ? 0 : size_t(socket_[js::key("bufferedAmount")].as<double>());
}

}  // namespace sockgate::client
