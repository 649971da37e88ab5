// A tiny WebSocket server on 127.0.0.1 (websocketpp, own thread) for testing
// the native transport without a gateway. Hooks run on the server's thread;
// send/close may be called from them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sockgate::client::testing {

class TestServer {
public:
    using ConnId = uint64_t;

    struct Options {
        // Agree to the first offered subprotocol.
        bool select_subprotocol = true;
        // Refuse every upgrade with this HTTP status (0: accept).
        int reject_status = 0;
        // Accept TCP connections but never answer the upgrade request.
        bool never_answer = false;
    };

    struct Handshake {
        std::string origin;
        std::vector<std::string> subprotocols;
        std::string resource;
    };

    explicit TestServer(Options options);
    TestServer() : TestServer(Options{}) {}
    ~TestServer();

    uint16_t port() const;
    std::string url() const;  // ws://127.0.0.1:PORT/ws

    std::function<void(ConnId)> on_open;
    std::function<void(ConnId, bool is_text, const std::string& payload)> on_message;
    std::function<void(ConnId)> on_close;

    void send_text(ConnId c, const std::string& text);
    void send_binary(ConnId c, const std::string& bytes);
    void close(ConnId c, uint16_t code, const std::string& reason);

    // The last upgrade request seen (thread-safe).
    Handshake last_handshake() const;

    // Runs `fn` on the server thread and waits for it.
    void run_on_server(const std::function<void()>& fn);

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sockgate::client::testing
