// A TLS client for tests of the gateway's --tls-cert mode: HTTPS requests
// and a WebSocket over TLS, in the manner of raw_websocket.hpp, on a
// connection whose handshake and certificate the test can inspect.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "support/gateway_process.hpp"
#include "support/raw_websocket.hpp"

namespace sockgate::testing {

// The test's own certificate: `openssl req` makes a self-signed one.
struct TestCertificate {
    std::string cert_file;
    std::string key_file;
};
// Writes a new key and self-signed certificate (CN=localhost, EC P-256) to
// these paths; false if openssl failed.
bool make_test_certificate(const TestCertificate& files);
// The serial number of the PEM certificate in `file`, in hex ("" if unreadable).
std::string certificate_serial(const std::string& file);

struct TlsClientOptions {
    // Offer TLS 1.1 and nothing newer, at OpenSSL security level 0 so that
    // this client is willing: what a downgraded or ancient client sends.
    bool tls_1_1_only = false;
    // Set before connecting, so a client that does not read fills up soon.
    int receive_buffer = 0;
};

class TlsClient {
public:
    // Connects to 127.0.0.1:port; no handshake yet.
    explicit TlsClient(uint16_t port, TlsClientOptions options = {});
    bool connected() const { return connected_; }

    // The TLS handshake; "" when it succeeded, else what went wrong. The
    // gateway's certificate is not verified: the test made it.
    std::string handshake(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // The serial number of the certificate the gateway presented, in hex.
    std::string peer_serial();
    // The raw socket under TLS, for watching it without reading.
    int native_fd() { return stream_.lowest_layer().native_handle(); }

    bool write(const std::string& bytes, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Reads until at least `n` bytes are buffered; false on timeout or end.
    bool fill(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // True once the gateway ended the connection (TLS close or TCP end),
    // waiting up to `timeout`.
    bool wait_closed(std::chrono::milliseconds timeout);

    // GET over this connection (handshake first); the whole response, read
    // until the gateway closes.
    HttpResponse get(const std::string& target, std::chrono::milliseconds timeout = std::chrono::seconds(10));

    // WebSocket: the upgrade to /ws with sockgate's subprotocol; its status.
    int upgrade(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // One masked frame from the client side (opcode 1 text, 2 binary).
    bool send_frame(uint8_t opcode, const std::string& payload);
    std::optional<WsFrame> read_frame(std::chrono::milliseconds timeout = std::chrono::seconds(5));

private:
    template <typename Start>
    asio::error_code run(Start start, std::chrono::milliseconds timeout);

    asio::io_context io_;
    asio::ssl::context context_;
    asio::ssl::stream<asio::ip::tcp::socket> stream_;
    uint16_t port_;
    bool connected_ = false;
    bool ended_ = false;
    std::string in_;  // bytes read but not yet consumed
};

}  // namespace sockgate::testing
