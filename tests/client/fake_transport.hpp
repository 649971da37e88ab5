// An in-memory Transport: records what the client core sends and lets a test
// play the gateway by injecting messages. It checks bookkeeping, not sockets.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/frame.hpp"
#include "wasm/core/transport.hpp"

namespace sockgate::client::testing {

class FakeTransport : public Transport {
public:
    struct CloseCall {
        uint16_t code;
        std::string reason;
    };

    // ---- Transport ----
    void set_handler(TransportHandler* h) override { handler = h; }
    void send_text(std::string text) override { texts.push_back(std::move(text)); }
    void send_binary(std::string bytes) override { frames.push_back(std::move(bytes)); }
    void close(uint16_t code, std::string reason) override { close_call = CloseCall{code, std::move(reason)}; }

    // ---- the gateway's side ----
    void open() { handler->on_open(); }
    void inject_text(const std::string& text) { handler->on_text(text); }
    void inject_json(const nlohmann::json& j) { inject_text(j.dump()); }
    void inject_binary(const std::string& bytes) { handler->on_binary(bytes); }
    void inject_close(uint16_t code, const std::string& reason = {}) { handler->on_close(code, reason); }

    // Replies to a request: {"op", "id", "ok": true, ...fields}.
    void reply(const nlohmann::json& request, nlohmann::json fields = nlohmann::json::object()) {
        fields["op"] = request.at("op");
        fields["id"] = request.at("id");
        fields["ok"] = true;
        inject_json(fields);
    }
    void reply_error(const nlohmann::json& request, const std::string& code) {
        inject_json({{"op", request.at("op")},
                     {"id", request.at("id")},
                     {"ok", false},
                     {"error", {{"code", code}, {"message", "test says " + code}}}});
    }

    // The last text message sent, parsed.
    nlohmann::json last_request() const { return nlohmann::json::parse(texts.back()); }

    // Decoded frames sent so far (views into `frames`).
    std::vector<proto::Frame> decoded_frames() const {
        std::vector<proto::Frame> out;
        for (const auto& f : frames) out.push_back(proto::decode_frame(f).frame);
        return out;
    }
    // Sum of DATA payload bytes sent for a socket, and their concatenation.
    std::string data_sent(uint32_t sock) const {
        std::string out;
        for (const auto& f : decoded_frames())
            if (f.kind == proto::FrameKind::data && f.sock == sock) out.append(f.payload);
        return out;
    }
    // Sum of WINDOW increments sent for a socket.
    uint64_t window_sent(uint32_t sock) const {
        uint64_t total = 0;
        for (const auto& f : decoded_frames())
            if (f.kind == proto::FrameKind::window && f.sock == sock) total += f.increment;
        return total;
    }
    size_t window_frames(uint32_t sock) const {
        size_t n = 0;
        for (const auto& f : decoded_frames())
            if (f.kind == proto::FrameKind::window && f.sock == sock) ++n;
        return n;
    }

    TransportHandler* handler = nullptr;
    std::vector<std::string> texts;
    std::vector<std::string> frames;
    std::optional<CloseCall> close_call;
};

}  // namespace sockgate::client::testing
