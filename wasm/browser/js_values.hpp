// Conversions between the client core's C++ types and the plain JavaScript
// values that the embind API (js_api.cpp) hands to and takes from JS.
//
// Everything that crosses to JS is a copy: JS never holds a view into wasm
// memory, which may move when it grows.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/address.hpp"
#include "protocol/errors.hpp"
#include "protocol/messages.hpp"
#include "wasm/core/socket_info.hpp"

namespace sockgate::client::js {

using emscripten::val;

// The JS string for a C++ string literal that names a property or event,
// made once per literal. With a `const char*`, embind makes a new JS string
// (and a handle for it) on every use, which per frame is garbage per frame.
const val& key(const char* literal);

// {addr, port}
val endpoint(const proto::Endpoint& e);
// {code, message}
val error(const proto::ErrorInfo& e);
val error(std::string code, std::string message);
// A new Uint8Array holding a copy of `bytes`.
val bytes(std::string_view bytes);
// A copy of a Uint8Array's contents.
std::string bytes_from(const val& array);

// Reply results, shaped as sockgate.js promises them.
val hello_info(const proto::HelloReply& reply);       // {version, server, session, window, max_frame, limits}
val socket_reply(const proto::SocketReply& reply);    // {sock, local, remote?}
val resolve_reply(const proto::ResolveReply& reply);  // {addrs}
val json(const nlohmann::json& j);                    // any JSON, via JSON.parse

// One row of the socket table, camelCase as the page wants it:
// {id, kind:'tcp'|'listener'|'udp', state, local, remote, listener, bytesIn,
//  bytesOut, datagramsIn, datagramsOut, queued, eof, shutdown, error,
//  sendCredit, recvCredit, recvWindow}
val socket_row(const SocketInfo& s);

// A binary frame for the wire view: {type:'DATA'|'DATAGRAM'|'WINDOW', sock,
// length (payload bytes), increment?, addr?, port?, preview? (first 64
// payload bytes)}, or {type:'INVALID', error, sock?} when it does not decode.
// `raw`: a Uint8Array of the frame's first raw_size bytes; the preview is a
// view on it where it holds the whole preview, and a copy otherwise.
val frame_summary(std::string_view frame, const val& raw, size_t raw_size);

// Reads an optional integer argument from JS. nullopt when `v` is undefined
// or null; an error message when it is not an integer within [lo, hi].
struct IntegerArg {
    std::optional<uint64_t> value;
    std::string problem;  // empty when fine
};
IntegerArg integer_arg(const val& v, const char* name, uint64_t lo, uint64_t hi);

}  // namespace sockgate::client::js
