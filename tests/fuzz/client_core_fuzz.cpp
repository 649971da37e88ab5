// The client core (wasm/core/client.cpp, the same code the page runs) fed by a
// malicious gateway through its transport seam: arbitrary text and binary
// messages, interleaved with the calls a program makes, with callbacks that
// call back into the client.
//
// Input: byte 0 picks callback behaviours; then records of
// [tag][length: 2 bytes little-endian][payload]. Tags: raw text, raw binary,
// a client call, a reply to a pending request (payload = JSON fields), an
// event (payload = JSON fields), a frame for a known socket, the transport
// closing.
// Checks: nothing throws out of the transport handler, no memory error, every
// request callback runs at most once and, once the session has closed,
// exactly once; every binary frame the client sends is well formed.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/frame.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "wasm/core/client.hpp"

using namespace sockgate;
using namespace sockgate::client;
using nlohmann::json;

namespace {

// A transport that keeps nothing but checks what the client sends.
class FuzzTransport : public Transport {
public:
    void set_handler(TransportHandler* h) override { handler = h; }
    void send_text(std::string text) override {
        last_text = std::move(text);
        ++texts;
    }
    void send_binary(std::string bytes) override {
        const proto::DecodeResult r = proto::decode_frame(bytes);
        FUZZ_CHECK(r, "client sent a bad frame: %s", proto::to_string(r.error));
        ++frames;
    }
    void close(uint16_t, std::string) override { close_called = true; }

    TransportHandler* handler = nullptr;
    std::string last_text;
    size_t texts = 0, frames = 0;
    bool close_called = false;
};

class Reader {
public:
    Reader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
    bool empty() const { return p_ == end_; }
    uint8_t byte() { return p_ == end_ ? 0 : *p_++; }
    std::string_view bytes(size_t n) {
        n = std::min<size_t>(n, size_t(end_ - p_));
        std::string_view out(reinterpret_cast<const char*>(p_), n);
        p_ += n;
        return out;
    }

private:
    const uint8_t* p_;
    const uint8_t* end_;
};

struct Harness {
    explicit Harness(uint8_t choice)
        : flags(choice), client(transport, ClientOptions{(choice & 0x10) != 0, (choice & 0x20) ? 3u : 0u, true}) {}

    // A callback for one request, counting how often it runs.
    template <class T>
    Client::Callback<T> callback() {
        const size_t serial = calls.size();
        calls.push_back(0);
        return [this, serial](Result<T>) {
            FUZZ_CHECK(++calls[serial] == 1, "request callback %zu ran twice", serial);
            // Start another request from inside a callback (bounded: each may fail at once).
            if ((flags & 0x40) && depth < 3) {
                ++depth;
                client.resolve("localhost", callback<proto::ResolveReply>());
                --depth;
            }
        };
    }

    uint32_t pick_socket(uint8_t b) {
        const auto ids = client.socket_ids();
        if (ids.empty() || b == 0xff) return b;
        return ids[b % ids.size()];
    }

    void install_callbacks() {
        auto& ev = client.events();
        if (flags & 0x01)
            ev.on_data = [this](uint32_t sock, std::string_view) { client.close(sock, callback<Done>()); };
        if (flags & 0x02) ev.on_closed = [this](uint32_t, const std::optional<ErrorInfo>&) { client.forget_closed(); };
        if (flags & 0x04)
            ev.on_accept = [this](const proto::AcceptEvent& e) { client.close(e.sock, callback<Done>()); };
        if (flags & 0x08) ev.on_error = [this](const proto::ErrorEvent&) { client.forget_closed(); };
        if (flags & 0x80) ev.on_drained = [this](uint32_t sock) { client.shutdown(sock, callback<Done>()); };
        ev.on_bad_input = [](const ErrorInfo& e) { FUZZ_CHECK(!e.code.empty(), "bad input without a code"); };
    }

    void act(std::string_view payload) {
        Reader r(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
        const uint8_t what = r.byte();
        const uint32_t sock = pick_socket(r.byte());
        const uint16_t port = uint16_t(r.byte() | (r.byte() << 8));
        const std::string rest(r.bytes(payload.size()));
        switch (what % 16) {
            case 0:
                client.hello(rest.empty() ? std::nullopt : std::optional<std::string>(rest),
                             callback<proto::HelloReply>());
                break;
            case 1:
                client.connect("127.0.0.1", port, callback<proto::SocketReply>());
                break;
            case 2:
                client.listen(proto::ListenRequest{"tcp", std::nullopt, port, std::nullopt},
                              callback<proto::SocketReply>());
                break;
            case 3:
                client.bind(proto::BindRequest{"udp", std::nullopt, port}, callback<proto::SocketReply>());
                break;
            case 4:
                client.resolve(rest, callback<proto::ResolveReply>());
                break;
            case 5:
                client.close(sock, callback<Done>());
                break;
            case 6:
                client.shutdown(sock, callback<Done>());
                break;
            case 7:
                (void)client.send(sock, std::string(size_t(port % 4096) + rest.size(), 'd'));
                break;
            case 8:
                (void)client.send_to(sock, rest.size() < 40 ? rest : "127.0.0.1", port, rest);
                break;
            case 9:
                (void)client.consume(sock, port);
                break;
            case 10:
                (void)client.set_manual_credit(sock, port & 1);
                break;
            case 11:
                (void)client.grant_now(sock);
                break;
            case 12:
                client.forget_closed();
                break;
            case 13:
                client.request(rest.empty() ? "kick" : rest, json::object(), callback<json>());
                break;
            case 14:
                client.close_session();
                break;
            default:
                (void)client.queued_total();
                if (const SocketInfo* s = client.socket(sock)) (void)s->is_open();
                break;
        }
    }

    // The JSON object in `payload`, or an empty one.
    static json fields(std::string_view payload) {
        json j = json::parse(payload.begin(), payload.end(), nullptr, false);
        if (j.is_discarded() || !j.is_object()) j = json::object();
        return j;
    }

    void reply(std::string_view payload) {
        if (transport.last_text.empty()) return;
        const json request = json::parse(transport.last_text, nullptr, false);
        if (request.is_discarded() || !request.is_object() || !request.contains("op") || !request.contains("id"))
            return;
        json j = fields(payload);
        j["op"] = request["op"];
        j["id"] = request["id"];
        if (!j.contains("ok")) j["ok"] = true;
        handler().on_text(j.dump());
    }

    void event(std::string_view payload) {
        static const char* kOps[] = {"accept", "eof", "closed", "error"};
        const uint8_t which = payload.empty() ? 0 : uint8_t(payload[0]);
        json j = fields(payload.substr(payload.empty() ? 0 : 1));
        j["op"] = kOps[which % 4];
        if (!j.contains("sock")) j["sock"] = pick_socket(which >> 2);
        handler().on_text(j.dump());
    }

    void frame(std::string_view payload) {
        Reader r(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
        const uint8_t kind = r.byte();
        const uint32_t sock = pick_socket(r.byte());
        std::string bytes(1, char(kind % 3 + 1));
        for (int shift = 24; shift >= 0; shift -= 8) bytes += char(sock >> shift);
        bytes.append(r.bytes(payload.size()));
        handler().on_binary(bytes);
    }

    TransportHandler& handler() { return *transport.handler; }

    uint8_t flags;
    FuzzTransport transport;
    Client client;
    std::vector<int> calls;
    int depth = 0;
    bool closed = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Reader in(data, size);
    Harness h(in.byte());
    h.install_callbacks();
    h.handler().on_open();
    h.client.hello(std::nullopt, h.callback<proto::HelloReply>());
    while (!in.empty() && !h.closed) {
        const uint8_t tag = in.byte();
        const size_t length = in.byte() | (size_t(in.byte()) << 8);
        const std::string_view payload = in.bytes(length);
        switch (tag % 8) {
            case 0:
            case 7:
                h.handler().on_text(payload);
                break;
            case 1:
                h.handler().on_binary(payload);
                break;
            case 2:
                h.act(payload);
                break;
            case 3:
                h.reply(payload);
                break;
            case 4:
                h.event(payload);
                break;
            case 5:
                h.frame(payload);
                break;
            case 6:
                h.handler().on_close(uint16_t(payload.empty() ? 1006 : 1000 + uint8_t(payload[0])),
                                     payload.substr(payload.empty() ? 0 : 1));
                h.closed = true;
                break;
        }
    }
    if (!h.closed) h.handler().on_close(close_code::abnormal, "fuzz input ended");
    FUZZ_CHECK(h.client.state() == SessionState::closed, "state %s after close", to_string(h.client.state()));
    FUZZ_CHECK(h.client.pending_requests() == 0, "%zu requests pending after close", h.client.pending_requests());
    for (size_t i = 0; i < h.calls.size(); ++i)
        FUZZ_CHECK(h.calls[i] == 1, "request callback %zu ran %d times", i, h.calls[i]);
    return 0;
}
