#include "gateway/tls_context.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace sockgate::gateway {
namespace {

// OpenSSL's own messages for a missing file name the function that failed,
// not the file; this says which file and why.
void require_readable(const std::string& file, const char* what) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw TlsError(std::string("cannot read the TLS ") + what + " " + file + ": " + std::strerror(errno));
}

std::string describe(X509* cert) {
    if (!cert) return "no certificate";
    std::string subject = "?";
    if (char* line = X509_NAME_oneline(X509_get_subject_name(cert), nullptr, 0)) {
        subject = line;
        OPENSSL_free(line);
    }
    std::string serial = "?";
    if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr)) {
        if (char* hex = BN_bn2hex(bn)) {
            serial = hex;
            OPENSSL_free(hex);
        }
        BN_free(bn);
    }
    return "subject " + subject + ", serial " + serial;
}

}  // namespace

TlsCertificate load_tls_certificate(const std::string& cert_file, const std::string& key_file) {
    require_readable(cert_file, "certificate");
    require_readable(key_file, "key");

    auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    // Browsers have spoken TLS 1.2 for a decade; older versions only help
    // downgrade attacks. The options say it to any OpenSSL, the minimum
    // version to this one whatever its system configuration allows.
    context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                         asio::ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);

    // The key goes in first: loaded after the certificate, a key of another
    // certificate fails as if the file held no key at all. This way OpenSSL
    // drops the mismatched key when the certificate comes, and the check
    // below says what is wrong.
    asio::error_code ec;
    context->use_private_key_file(key_file, asio::ssl::context::pem, ec);
    if (ec) throw TlsError("no PEM private key in " + key_file + " (" + ec.message() + ")");
    context->use_certificate_chain_file(cert_file, ec);
    if (ec) throw TlsError("no PEM certificate in " + cert_file + " (" + ec.message() + ")");
    if (SSL_CTX_check_private_key(context->native_handle()) != 1)
        throw TlsError("the TLS key " + key_file + " does not belong to the certificate " + cert_file);
    return {context, describe(SSL_CTX_get0_certificate(context->native_handle()))};
}

}  // namespace sockgate::gateway
