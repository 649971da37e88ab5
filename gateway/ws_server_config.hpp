// The gateway's websocketpp server configurations, plain and TLS. Include
// only from the websocketpp translation units (server_plain.cpp,
// server_tls.cpp, through server_impl.hpp).
#pragma once

#include <websocketpp/config/asio.hpp>
#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/processors/hybi13.hpp>

#include "gateway/unmask.hpp"
#include "support/websocketpp/one_read_at_a_time.hpp"

namespace sockgate::gateway {

// websocketpp's asio server configuration with a 64 KiB read buffer per
// connection instead of 16 KiB: a burst of frames from a browser then takes
// a quarter of the reads and parser calls, which cut the gateway's CPU per
// relayed GiB by 40% (docs/PERFORMANCE.md). The buffer is part of each
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

namespace websocketpp::processor {

// websocketpp 0.8.2 unmasks what a client sends one byte at a time (its own
// comment there says "TODO: SIMD masking"); that loop was half the gateway's
// CPU time when relaying (docs/PERFORMANCE.md). The specialisations below of
// its payload step, for the gateway's two configurations only, do the same
// work a word at a time and otherwise what websocketpp does: append to the
// message, decompress if the extension is on, check text is UTF-8, count the
// bytes. Both call this one function, so plain and TLS cannot drift apart;
// the processor's members are passed in because only its own member
// functions may name them.
template <typename Message, typename Deflate>
inline size_t gateway_payload_step(uint8_t* buf, size_t len, lib::error_code& ec, bool masked, Message& msg,
                                   Deflate& deflate, size_t& bytes_needed) {
    if (masked) msg.prepared_key = sockgate::gateway::unmask_prepared(buf, len, msg.prepared_key);

    std::string& out = msg.msg_ptr->get_raw_payload();
    const size_t offset = out.size();
    if (deflate.is_enabled() && msg.msg_ptr->get_compressed()) {
        ec = deflate.decompress(buf, len, out);
        if (ec) return 0;
    } else {
        out.append(reinterpret_cast<const char*>(buf), len);
    }
    if (msg.msg_ptr->get_opcode() == frame::opcode::TEXT &&
        !msg.validator.decode(out.begin() + long(offset), out.end())) {
        ec = make_error_code(error::invalid_utf8);
        return 0;
    }
    bytes_needed -= len;
    return len;
}

template <>
inline size_t hybi13<sockgate::gateway::GatewayWsConfig>::process_payload_bytes(uint8_t* buf, size_t len,
                                                                                 lib::error_code& ec) {
    return gateway_payload_step(buf, len, ec, frame::get_masked(m_basic_header), *m_current_msg,
                                m_permessage_deflate, m_bytes_needed);
}

template <>
inline size_t hybi13<sockgate::gateway::GatewayTlsWsConfig>::process_payload_bytes(uint8_t* buf, size_t len,
                                                                                    lib::error_code& ec) {
    return gateway_payload_step(buf, len, ec, frame::get_masked(m_basic_header), *m_current_msg,
                                m_permessage_deflate, m_bytes_needed);
}

}  // namespace websocketpp::processor
