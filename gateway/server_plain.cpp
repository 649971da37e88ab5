// The gateway over plain TCP: http:// and ws://.
#include "gateway/server_impl.hpp"

namespace sockgate::gateway {

std::unique_ptr<ServerBackend> make_plain_backend(asio::io_context& io, const Options& options, const Policy& policy,
                                                  Metrics& metrics) {
    return std::make_unique<server_detail::ServerImpl<GatewayWsConfig>>(io, options, policy, metrics, TlsCertificate{});
}

}  // namespace sockgate::gateway
