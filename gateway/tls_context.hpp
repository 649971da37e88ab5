// The TLS side of --tls-cert/--tls-key: a server context from a certificate
// chain and its private key, checked before it is used, so that a bad file
// stops the start (or a reload) with one clear line instead of failing every
// handshake later.
#pragma once

#include <asio/ssl/context.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace sockgate::gateway {

// The message says which file and what is wrong with it.
struct TlsError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct TlsCertificate {
    std::shared_ptr<asio::ssl::context> context;
    // "subject CN=localhost, serial 4F1A…": what the log says was loaded.
    std::string description;
};

// TLS 1.2 or later, OpenSSL's default ciphers (Debian's: security level 2),
// the chain from `cert_file` (PEM, leaf first) and the key from `key_file`
// (PEM), which must match. Throws TlsError.
TlsCertificate load_tls_certificate(const std::string& cert_file, const std::string& key_file);

}  // namespace sockgate::gateway
