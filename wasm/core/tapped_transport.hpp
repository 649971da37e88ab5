// A Transport decorator: passes everything through between a transport and
// its handler, and calls `after` once the handler has dealt with each report
// (open, message, close). Whoever waits for the client core's state to change
// (a blocking call, a suspended wasm program) needs exactly this one hook,
// because that state only changes when the transport reports something.
#pragma once

#include <functional>
#include <utility>

#include "wasm/core/transport.hpp"

namespace sockgate::client {

class TappedTransport final : public Transport, private TransportHandler {
public:
    TappedTransport(Transport& inner, std::function<void()> after) : inner_(inner), after_(std::move(after)) {
        inner_.set_handler(this);
    }
    ~TappedTransport() override { inner_.set_handler(nullptr); }
    TappedTransport(const TappedTransport&) = delete;
    TappedTransport& operator=(const TappedTransport&) = delete;

    void set_handler(TransportHandler* handler) override { handler_ = handler; }
    void send_text(std::string text) override { inner_.send_text(std::move(text)); }
    void send_binary(std::string bytes) override { inner_.send_binary(std::move(bytes)); }
    void close(uint16_t code, std::string reason) override { inner_.close(code, std::move(reason)); }
    size_t buffered_amount() const override { return inner_.buffered_amount(); }

private:
    void on_open() override {
        if (handler_) handler_->on_open();
        after_();
    }
    void on_text(std::string_view text) override {
        if (handler_) handler_->on_text(text);
        after_();
    }
    void on_binary(std::string_view bytes) override {
        if (handler_) handler_->on_binary(bytes);
        after_();
    }
    void on_close(uint16_t code, std::string_view reason) override {
        if (handler_) handler_->on_close(code, reason);
        after_();
    }

    Transport& inner_;
    std::function<void()> after_;
    TransportHandler* handler_ = nullptr;
};

}  // namespace sockgate::client
