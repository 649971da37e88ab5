// The gateway over TLS (--tls-cert/--tls-key): https:// and wss:// on the
// same port.
#include "gateway/server_impl.hpp"

namespace sockgate::gateway {

std::unique_ptr<ServerBackend> make_tls_backend(asio::io_context& io, const Options& options, const Policy& policy,
                                                Metrics& metrics, TlsCertificate certificate) {
    return std::make_unique<server_detail::ServerImpl<GatewayTlsWsConfig>>(io, options, policy, metrics,
                                                                           std::move(certificate));
}

}  // namespace sockgate::gateway
