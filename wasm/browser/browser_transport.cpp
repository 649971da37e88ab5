#include "wasm/browser/browser_transport.hpp"

#include "protocol/messages.hpp"

namespace sockgate::client {

BrowserTransport::~BrowserTransport() {
    handler_ = nullptr;
    if (socket_ <= 0) return;
    // Browsers let a page close only with 1000 or 3000-4999; anything else,
    // or closing twice, throws.
    if (!closed_reported_) emscripten_websocket_close(socket_, close_code::normal, "");
    emscripten_websocket_delete(socket_);
}

void BrowserTransport::open(const std::string& url) {
    EmscriptenWebSocketCreateAttributes attrs;
    emscripten_websocket_init_create_attributes(&attrs);
    attrs.url = url.c_str();
    attrs.protocols = proto::kSubprotocol;
    attrs.createOnMainThread = EM_TRUE;
    const EMSCRIPTEN_WEBSOCKET_T ws = emscripten_websocket_new(&attrs);
    if (ws <= 0) {
        report_close(close_code::abnormal, "cannot create a WebSocket for " + url);
        return;
    }
    socket_ = ws;
    emscripten_websocket_set_onopen_callback(ws, this, &on_open_cb);
    emscripten_websocket_set_onmessage_callback(ws, this, &on_message_cb);
    emscripten_websocket_set_onerror_callback(ws, this, &on_error_cb);
    emscripten_websocket_set_onclose_callback(ws, this, &on_close_cb);
}

EM_BOOL BrowserTransport::on_open_cb(int, const EmscriptenWebSocketOpenEvent*, void* self) {
    auto* t = static_cast<BrowserTransport*>(self);
    t->open_ = true;
    if (t->handler_) t->handler_->on_open();
    return EM_TRUE;
}

EM_BOOL BrowserTransport::on_message_cb(int, const EmscriptenWebSocketMessageEvent* e, void* self) {
    auto* t = static_cast<BrowserTransport*>(self);
    if (!t->handler_) return EM_TRUE;
    if (e->isText) {
        // Emscripten hands text over NUL-terminated and counts the NUL.
        uint32_t n = e->numBytes;
        if (n > 0 && e->data[n - 1] == 0) --n;
        t->handler_->on_text(std::string_view(reinterpret_cast<const char*>(e->data), n));
    } else {
        t->handler_->on_binary(std::string_view(reinterpret_cast<const char*>(e->data), e->numBytes));
    }
    return EM_TRUE;
}

EM_BOOL BrowserTransport::on_error_cb(int, const EmscriptenWebSocketErrorEvent*, void*) {
    // The browser follows every error with a close event, which carries the
    // details we can have; nothing to do here.
    return EM_TRUE;
}

EM_BOOL BrowserTransport::on_close_cb(int, const EmscriptenWebSocketCloseEvent* e, void* self) {
    auto* t = static_cast<BrowserTransport*>(self);
    t->open_ = false;
    t->report_close(e->code, e->reason);
    return EM_TRUE;
}

void BrowserTransport::report_close(uint16_t code, std::string_view reason) {
    if (closed_reported_) return;
    closed_reported_ = true;
    if (handler_) handler_->on_close(code, reason);
}

void BrowserTransport::send_text(std::string text) {
    if (!open_) return;
    emscripten_websocket_send_utf8_text(socket_, text.c_str());
}

void BrowserTransport::send_binary(std::string bytes) {
    if (!open_) return;
    emscripten_websocket_send_binary(socket_, bytes.data(), uint32_t(bytes.size()));
}

void BrowserTransport::close(uint16_t code, std::string reason) {
    if (socket_ <= 0) {
        report_close(code, reason);
        return;
    }
    // A page may only send 1000 or 3000-4999; the browser throws on others.
    if (code != close_code::normal && (code < 3000 || code > 4999)) code = close_code::normal;
    emscripten_websocket_close(socket_, code, reason.c_str());
}

size_t BrowserTransport::buffered_amount() const {
    if (socket_ <= 0) return 0;
    unsigned long long amount = 0;
    emscripten_websocket_get_buffered_amount(socket_, &amount);
    return size_t(amount);
}

}  // namespace sockgate::client
