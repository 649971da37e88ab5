// The gateway's websocketpp server configurations, plain and TLS. Include
// only from the websocketpp translation units (server_plain.cpp,
// server_tls.cpp, through server_impl.hpp).
#pragma once

#include <websocketpp/config/asio.hpp>
#include <websocketpp/config/asio_no_tls.hpp>

#include "gateway/unmask.hpp"
#include "support/websocketpp/internals.hpp"

namespace sockgate::gateway {

// websocketpp's asio server configuration with a 64 KiB read buffer per
// connection instead of 16 KiB: a burst of frames from a browser then takes
// a quarter of the reads and parser calls, which cut the gateway's CPU per
// relayed GiB (docs/PERFORMANCE.md has by how much). The buffer is part of each
// connection object, so it costs 48 KiB more per session, not per socket.
struct GatewayWsConfig : websocketpp::config::asio {
    static const size_t connection_read_buffer_size = 64 * 1024;
    // The gateway pauses and resumes reading (--max-outbound).
    typedef sockgate::ws::OneReadConnectionBase connection_base;
};

// The same over TLS (--tls-cert/--tls-key): the read buffer holds what the
// TLS layer has decrypted, so the same reasoning holds.
struct GatewayTlsWsConfig : websocketpp::config::asio_tls {
    static const size_t connection_read_buffer_size = 64 * 1024;
    typedef sockgate::ws::OneReadConnectionBase connection_base;
};

}  // namespace sockgate::gateway

// Unmasking a word at a time, for the gateway's two configurations only
// (support/websocketpp/internals.hpp, piece 2).
SOCKGATE_WEBSOCKETPP_UNMASK_WITH(sockgate::gateway::GatewayWsConfig, sockgate::gateway::unmask_prepared)
SOCKGATE_WEBSOCKETPP_UNMASK_WITH(sockgate::gateway::GatewayTlsWsConfig, sockgate::gateway::unmask_prepared)
