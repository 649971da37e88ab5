// One sockgate session for JavaScript: a Client over a JsTransport, with
// every report of the core forwarded to a single JS listener.
//
// Bound with embind as Module.Session (js_api.cpp); web/src/sockgate.js
// wraps it into Promises and DOM events. JS sees:
//
//   session.setListener({ onEvent(name, payload) { ... } })
//   session.open(webSocket, url, token)  // hello goes out once it opens
//   webSocket.onopen    -> session.transportOpen()
//   webSocket.onmessage -> session.transportText(string) | transportBinary(Uint8Array)
//                          | dataArrived(sock, n)  (see "stream data" below)
//   webSocket.onclose   -> session.transportClose(code, reason)
//
// Requests (connect, listen, bind, shutdown, close, resolve, request) return
// the request id, a number > 0, whose outcome later arrives as a 'reply'
// event; or, when the request failed before anything was sent, an error
// object {code, message}. send, sendTo and closeSession return undefined on
// success, or such an error object.
//
// Events (name: payload):
//   open: {}                                      the WebSocket opened
//   hello: {ok:true, info} | {ok:false, error}    the hello reply (not sent
//       when the session ends first: see sessionclosed)
//   reply: {id, ok:true, result} | {id, ok:false, error}
//   data: {sock, bytes}        datagram: {sock, from, bytes}
//   accept: {listener, sock, local, remote}
//   eof: {sock}                closed: {sock, error|null}
//   error: {error, sock?, id?} badinput: {code, message}
//   drained: {sock}            sockets: {}   (the socket table changed)
//   wire: {dir:'in'|'out', kind:'text', text}
//       | {dir, kind:'binary', frame, size, raw}  (raw: first 128 bytes)
//   sessionclosed: {code, reason, error|null}
//       error is set when the session ended before it was ready: ECONNREFUSED
//       if the WebSocket never opened, EPROTO if hello was not answered.
//
// Stream data, while the wire tap is off, never enters wasm memory: JS reads
// a DATA frame's header itself, calls dataArrived(sock, payloadLength), and
// delivers the payload if that returns true. To send, takeSendCredit(sock, n)
// says how many of n bytes JS must frame and send now (maxPayload() bytes a
// frame at most), or -1 when the socket cannot send (send() then says why);
// the rest goes to send(), which queues it. With the tap on, JS passes every
// frame through transportBinary and send() so that the tap sees them.
//
// Re-entrancy: the listener may call back into the session from any event
// except 'wire' (the core forbids that there; sockgate.js defers wire
// events). It must not destroy the session from inside an event.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "wasm/browser/js_transport.hpp"
#include "wasm/core/client.hpp"

namespace sockgate::client::js {

using emscripten::val;

class JsSession {
public:
    JsSession();
    ~JsSession() = default;
    JsSession(const JsSession&) = delete;
    JsSession& operator=(const JsSession&) = delete;

    // An object with an onEvent(name, payload) method.
    void set_listener(val listener) { listener_ = std::move(listener); }
    // Takes the WebSocket that JS made for `url`; once it opens, hello goes
    // out with `token` (a string, or undefined/null for none).
    void open(val socket, const std::string& url, val token);

    // ---- what the WebSocket reports (JsTransport's contract) ----
    void transport_open() { transport_.report_open(); }
    void transport_text(const std::string& text) { transport_.report_text(text); }
    void transport_binary(val bytes);
    void transport_close(int code, const std::string& reason);

    // ---- stream data framed in JS (see above) ----
    bool data_arrived(uint32_t sock, double n) { return client_.on_data_read_elsewhere(sock, uint64_t(n)); }
    double take_send_credit(uint32_t sock, double n);
    double max_payload() const { return double(client_.max_payload()); }
    // A well-formed WINDOW frame read in JS (Client::on_window_read_elsewhere).
    void window_arrived(uint32_t sock, double increment) {
        client_.on_window_read_elsewhere(sock, uint32_t(increment));
    }
    // DATAGRAM frames read and written in JS (Client::on_datagram_read_elsewhere,
    // Client::take_datagram_send): true to deliver / undefined or {code, message}.
    bool datagram_arrived(uint32_t sock, double n) { return client_.on_datagram_read_elsewhere(sock, uint64_t(n)); }
    val take_datagram_send(uint32_t sock, int family, double n);
    // An address as the protocol writes it (4 or 16 bytes), for JS to keep:
    // a Uint8Array, or null for text that is not a numeric address.
    static val address_bytes(const std::string& text);
    // Those bytes as text ("127.0.0.1", "::1"); "" for another length.
    static std::string address_text(val bytes);

    // ---- requests: id or {code, message} ----
    val connect(const std::string& host, val port, val timeout_ms);
    // host: string, or undefined/null for the gateway's default.
    val listen(val host, val port, val backlog);
    val bind(val host, val port);
    val shutdown(val sock);
    val close(val sock);
    val resolve(const std::string& host);
    // Any op; fields_json is a JSON object's text. The reply's whole object
    // is the result.
    val request(const std::string& op, const std::string& fields_json);

    // ---- data: undefined or {code, message} ----
    val send(val sock, val bytes);
    val send_to(val sock, const std::string& addr, val port, val bytes);

    // ---- manual credit (Client::set_manual_credit, Client::consume) ----
    // For readers that take bytes out at their own pace, such as a Python
    // program's recv(): the gateway sends no more than the program has read
    // plus one window. undefined or {code, message}.
    val set_manual_credit(val sock, bool manual);
    val consume(val sock, val n);
    // Bytes waiting for credit on one socket (0 for unknown sockets).
    double queued(val sock) const;

    // Ends the session; 'sessionclosed' follows. code: 1000 or 3000-4999,
    // reason at most 123 bytes of UTF-8 (what browsers accept).
    val close_session(val code, const std::string& reason);

    // ---- state ----
    val sockets() const;        // array of socket rows (js_values.hpp)
    val info() const;           // hello info, or null before the reply
    std::string state() const;  // connecting, open, ready, closing, closed
    void forget_closed() { client_.forget_closed(); }
    // Whether 'wire' events are made at all (on from the start, so the
    // handshake is seen): describing every frame costs the data path a good
    // part of its time, so sockgate.js turns it off while nobody listens.
    void set_wire_tap(bool on) { wire_tap_ = on; }

private:
    void wire_events();
    void emit(const char* name, val payload) const;
    void emit_table_changed() const;

    // Starts one request with `start`, which passes the given callback to the
    // Client and returns its id. Replies become 'reply' events carrying
    // `convert`ed results.
    template <class T>
    val track(const std::function<int64_t(Client::Callback<T>)>& start, std::function<val(const T&)> convert,
              bool changes_table);

    JsTransport transport_;
    Client client_;  // after transport_: destroyed first, while it still exists
    val listener_ = val::undefined();
    std::optional<std::string> token_;
    std::string url_;
    bool opened_ = false;
    bool wire_tap_ = true;
};

}  // namespace sockgate::client::js
