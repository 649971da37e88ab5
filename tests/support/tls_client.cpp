#include "support/tls_client.hpp"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace sockgate::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds left(Clock::time_point deadline) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return ms.count() > 0 ? ms : std::chrono::milliseconds(0);
}

std::string serial_hex(X509* cert) {
    if (!cert) return "";
    std::string out;
    if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr)) {
        if (char* hex = BN_bn2hex(bn)) {
            out = hex;
            OPENSSL_free(hex);
        }
        BN_free(bn);
    }
    return out;
}

}  // namespace

bool make_test_certificate(const TestCertificate& files) {
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost "
        "-keyout '" +
        files.key_file + "' -out '" + files.cert_file + "' >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
}

std::string certificate_serial(const std::string& file) {
    FILE* f = std::fopen(file.c_str(), "r");
    if (!f) return "";
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    const std::string serial = serial_hex(cert);
    X509_free(cert);
    return serial;
}

TlsClient::TlsClient(uint16_t port, TlsClientOptions options)
    : context_(asio::ssl::context::tls_client), stream_(io_, context_), port_(port) {
    if (options.tls_1_1_only) {
        // On the connection, not the context: the stream's SSL object was
        // made from the context already and does not see later changes.
        SSL* ssl = stream_.native_handle();
        SSL_set_security_level(ssl, 0);
        SSL_set_cipher_list(ssl, "DEFAULT:@SECLEVEL=0");
        SSL_set_min_proto_version(ssl, TLS1_1_VERSION);
        SSL_set_max_proto_version(ssl, TLS1_1_VERSION);
    }
    stream_.set_verify_mode(asio::ssl::verify_none);
    asio::error_code ec;
    auto& socket = stream_.next_layer();
    socket.open(asio::ip::tcp::v4(), ec);
    if (options.receive_buffer > 0)
        socket.set_option(asio::socket_base::receive_buffer_size(options.receive_buffer), ec);
    socket.connect({asio::ip::address_v4::loopback(), port}, ec);
    connected_ = !ec;
}

// Runs one asynchronous operation to completion or until the time is up;
// on timeout it is cancelled and its handler still runs before returning,
// since it refers to this frame.
template <typename Start>
asio::error_code TlsClient::run(Start start, std::chrono::milliseconds timeout) {
    std::optional<asio::error_code> result;
    start(result);
    io_.restart();
    io_.run_for(timeout);
    if (result) return *result;
    asio::error_code ignored;
    stream_.lowest_layer().cancel(ignored);
    io_.restart();
    io_.run();
    return asio::error::timed_out;
}

std::string TlsClient::handshake(std::chrono::milliseconds timeout) {
    if (!connected_) return "not connected";
    const auto ec = run(
        [&](std::optional<asio::error_code>& result) {
            stream_.async_handshake(asio::ssl::stream_base::client,
                                    [&result](const asio::error_code& e) { result = e; });
        },
        timeout);
    return ec ? ec.message() : "";
}

std::string TlsClient::peer_serial() {
    X509* cert = SSL_get1_peer_certificate(stream_.native_handle());
    const std::string serial = serial_hex(cert);
    X509_free(cert);
    return serial;
}

bool TlsClient::write(const std::string& bytes, std::chrono::milliseconds timeout) {
    const auto ec = run(
        [&](std::optional<asio::error_code>& result) {
            asio::async_write(stream_, asio::buffer(bytes),
                              [&result](const asio::error_code& e, size_t) { result = e; });
        },
        timeout);
    return !ec;
}

bool TlsClient::fill(size_t n, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    char buf[16384];
    while (in_.size() < n && !ended_) {
        size_t got = 0;
        const auto ec = run(
            [&](std::optional<asio::error_code>& result) {
                stream_.async_read_some(asio::buffer(buf), [&](const asio::error_code& e, size_t k) {
                    got = k;
                    result = e;
                });
            },
            left(deadline));
        in_.append(buf, got);
        if (ec == asio::error::timed_out) return in_.size() >= n;
        if (ec) ended_ = true;  // eof, a TLS close or truncation, a reset
    }
    return in_.size() >= n;
}

bool TlsClient::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!ended_ && Clock::now() < deadline) {
        fill(in_.size() + 1, left(deadline));
        in_.clear();
    }
    return ended_;
}

HttpResponse TlsClient::get(const std::string& target, std::chrono::milliseconds timeout) {
    HttpResponse r;
    if (!handshake().empty()) return r;
    const std::string request =
        "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\nConnection: close\r\n\r\n";
    if (!write(request)) return r;
    const auto deadline = Clock::now() + timeout;
    while (!ended_ && Clock::now() < deadline) fill(in_.size() + 1, left(deadline));
    const auto head_end = in_.find("\r\n\r\n");
    if (head_end == std::string::npos) return r;
    r.headers = in_.substr(0, head_end);
    r.body = in_.substr(head_end + 4);
    if (r.headers.size() > 12) r.status = std::stoi(r.headers.substr(9, 3));
    in_.clear();
    return r;
}

int TlsClient::upgrade(std::chrono::milliseconds timeout) {
    const std::string request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                                "Sec-WebSocket-Protocol: sockgate.v1\r\n\r\n";
    if (!write(request)) return 0;
    const auto deadline = Clock::now() + timeout;
    size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos)
        if (!fill(in_.size() + 1, left(deadline))) return 0;
    const std::string head = in_.substr(0, end);
    in_.erase(0, end + 4);
    if (head.size() < 12 || head.rfind("HTTP/1.1 ", 0) != 0) return 0;
    return std::stoi(head.substr(9, 3));
}

bool TlsClient::send_frame(uint8_t opcode, const std::string& payload) { return write(masked_frame(opcode, payload)); }

std::optional<WsFrame> TlsClient::read_frame(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    if (!fill(2, left(deadline))) return std::nullopt;
    size_t len = uint8_t(in_[1]) & 0x7f;
    size_t header = 2;
    if (len == 126) header = 4;
    if (len == 127) header = 10;
    if (!fill(header, left(deadline))) return std::nullopt;
    if (len >= 126) {
        len = 0;
        for (size_t i = 2; i < header; ++i) len = (len << 8) | uint8_t(in_[i]);
    }
    if (!fill(header + len, left(deadline))) return std::nullopt;
    WsFrame f;
    f.opcode = uint8_t(in_[0]) & 0x0f;
    f.payload = in_.substr(header, len);
    in_.erase(0, header + len);
    return f;
}

}  // namespace sockgate::testing
