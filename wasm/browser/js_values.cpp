#include "wasm/browser/js_values.hpp"

#include <emscripten/wire.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "protocol/frame.hpp"

namespace sockgate::client::js {

namespace {

EMSCRIPTEN_SYMBOL(set);
EMSCRIPTEN_SYMBOL(subarray);

// The wire view shows this much of each DATA or DATAGRAM payload.
constexpr size_t kPreviewBytes = 64;

val uint8_array_class() {
    static const val cls = val::global("Uint8Array");
    return cls;
}

}  // namespace

const val& key(const char* literal) {
    // Keyed by address: a literal's storage lives as long as the program.
    static std::unordered_map<const char*, val> keys;
    auto it = keys.find(literal);
    if (it == keys.end()) it = keys.emplace(literal, val(literal)).first;
    return it->second;
}

val endpoint(const proto::Endpoint& e) {
    val v = val::object();
    v.set(key("addr"), e.addr);
    v.set(key("port"), e.port);
    return v;
}

val error(const proto::ErrorInfo& e) {
    val v = val::object();
    v.set(key("code"), e.code);
    v.set(key("message"), e.message);
    return v;
}

val error(std::string code, std::string message) {
    return error(proto::ErrorInfo{std::move(code), std::move(message)});
}

val bytes(std::string_view data) {
    // Constructing a Uint8Array from a typed array copies it out of the heap.
    const auto* p = reinterpret_cast<const uint8_t*>(data.data());
    return uint8_array_class().new_(emscripten::typed_memory_view(data.size(), p));
}

std::string bytes_from(const val& array) {
    const size_t n = array[key("length")].as<size_t>();
    std::string out(n, '\0');
    // A view on `out`'s storage, filled by one TypedArray.set: one copy, no
    // per-element conversion. Nothing allocates between making the view and
    // using it, so wasm memory cannot grow under it.
    val view(emscripten::typed_memory_view(n, reinterpret_cast<uint8_t*>(out.data())));
    view.call<void>(set_symbol, array);
    return out;
}

val hello_info(const proto::HelloReply& r) {
    val limits = val::object();
    limits.set(key("sockets"), r.limits.sockets);
    limits.set(key("listeners"), r.limits.listeners);
    val v = val::object();
    v.set(key("version"), r.version);
    v.set(key("server"), r.server);
    v.set(key("session"), r.session);
    v.set(key("window"), r.window);
    v.set(key("max_window"), r.max_window);
    v.set(key("max_frame"), r.max_frame);
    v.set(key("limits"), limits);
    return v;
}

val socket_reply(const proto::SocketReply& r) {
    val v = val::object();
    v.set(key("sock"), r.sock);
    v.set(key("local"), endpoint(r.local));
    if (r.remote) v.set(key("remote"), endpoint(*r.remote));
    return v;
}

val resolve_reply(const proto::ResolveReply& r) {
    val addrs = val::array();
    for (const std::string& a : r.addrs) addrs.call<void>("push", a);
    val v = val::object();
    v.set(key("addrs"), addrs);
    return v;
}

val json(const nlohmann::json& j) {
    // The gateway's text arrived as valid UTF-8, so nothing is replaced in
    // practice; `replace` only keeps dump() from throwing if it were not.
    const std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return val::global("JSON").call<val>("parse", text);
}

val socket_row(const SocketInfo& s) {
    val v = val::object();
    v.set(key("id"), s.id);
    v.set(key("kind"), proto::to_string(s.kind));
    v.set(key("state"), to_string(s.state));
    v.set(key("local"), endpoint(s.local));
    v.set(key("remote"), s.remote ? endpoint(*s.remote) : val::null());
    v.set(key("listener"), s.listener ? val(*s.listener) : val::null());
    // Counters are uint64 in C++; JS numbers hold them exactly up to 2^53.
    v.set(key("bytesIn"), double(s.bytes_in));
    v.set(key("bytesOut"), double(s.bytes_out));
    v.set(key("datagramsIn"), double(s.datagrams_in));
    v.set(key("datagramsOut"), double(s.datagrams_out));
    v.set(key("queued"), double(s.queued));
    v.set(key("eof"), s.eof_received);
    v.set(key("shutdown"), s.shutdown_sent);
    v.set(key("error"), s.close_error ? error(*s.close_error) : val::null());
    v.set(key("sendCredit"), double(s.send_credit));
    v.set(key("recvCredit"), double(s.recv_credit));
    v.set(key("recvWindow"), double(s.recv_window));
    return v;
}

val frame_summary(std::string_view frame, const val& raw, size_t raw_size) {
    val v = val::object();
    const proto::DecodeResult r = proto::decode_frame(frame);
    if (!r) {
        v.set(key("type"), key("INVALID"));
        v.set(key("error"), proto::to_string(r.error));
        if (r.has_sock) v.set(key("sock"), r.frame.sock);
        v.set(key("length"), 0);
        return v;
    }
    const proto::Frame& f = r.frame;
    v.set(key("sock"), f.sock);
    switch (f.kind) {
        case proto::FrameKind::data:
            v.set(key("type"), key("DATA"));
            break;
        case proto::FrameKind::datagram:
            v.set(key("type"), key("DATAGRAM"));
            v.set(key("addr"), f.peer_addr.to_string());
            v.set(key("port"), f.peer_port);
            break;
        case proto::FrameKind::window:
            v.set(key("type"), key("WINDOW"));
            v.set(key("increment"), f.increment);
            break;
    }
    v.set(key("length"), double(f.payload.size()));
    if (f.kind != proto::FrameKind::window) {
        const size_t from = size_t(f.payload.data() - frame.data());
        const size_t to = from + std::min(f.payload.size(), kPreviewBytes);
        if (to <= raw_size)
            v.set(key("preview"), raw.call<val>(subarray_symbol, double(from), double(to)));
        else
            v.set(key("preview"), bytes(f.payload.substr(0, to - from)));
    }
    return v;
}

IntegerArg integer_arg(const val& v, const char* name, uint64_t lo, uint64_t hi) {
    if (v.isUndefined() || v.isNull()) return {};
    const std::string range = std::to_string(lo) + "-" + std::to_string(hi);
    if (!v.isNumber()) return {std::nullopt, std::string(name) + " must be an integer " + range};
    const double d = v.as<double>();
    if (!std::isfinite(d) || std::floor(d) != d || d < double(lo) || d > double(hi))
        return {std::nullopt, std::string(name) + " must be an integer " + range};
    return {uint64_t(d), {}};
}

}  // namespace sockgate::client::js
