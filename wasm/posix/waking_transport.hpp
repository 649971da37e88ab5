// A Transport decorator that wakes the suspended program after every report
// of the real transport (open, message, close), once the client core has
// handled it. Whatever the program waits for — data, an accept, a reply,
// credit — can only change when a message arrives, so this one hook keeps
// every blocking call event-driven.
#pragma once

#include "wasm/posix/wait.hpp"
#include "wasm/transport.hpp"

namespace sockgate::posix {

class WakingTransport final : public client::Transport, private client::TransportHandler {
public:
    explicit WakingTransport(client::Transport& inner) : inner_(inner) { inner_.set_handler(this); }
    ~WakingTransport() override { inner_.set_handler(nullptr); }

    void set_handler(client::TransportHandler* handler) override { handler_ = handler; }
    void send_text(std::string text) override { inner_.send_text(std::move(text)); }
    void send_binary(std::string bytes) override { inner_.send_binary(std::move(bytes)); }
    void close(uint16_t code, std::string reason) override { inner_.close(code, std::move(reason)); }
    size_t buffered_amount() const override { return inner_.buffered_amount(); }

private:
    void on_open() override {
        if (handler_) handler_->on_open();
        wake();
    }
    void on_text(std::string_view text) override {
        if (handler_) handler_->on_text(text);
        wake();
    }
    void on_binary(std::string_view bytes) override {
        if (handler_) handler_->on_binary(bytes);
        wake();
    }
    void on_close(uint16_t code, std::string_view reason) override {
        if (handler_) handler_->on_close(code, reason);
        wake();
    }

    client::Transport& inner_;
    client::TransportHandler* handler_ = nullptr;
};

}  // namespace sockgate::posix
