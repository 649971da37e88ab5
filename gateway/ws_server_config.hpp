// The gateway's websocketpp server configuration. Include only from the one
// websocketpp translation unit (server.cpp).
#pragma once

#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/processors/hybi13.hpp>

#include "gateway/unmask.hpp"

namespace sockgate::gateway {

// websocketpp's asio server configuration with a 64 KiB read buffer per
// connection instead of 16 KiB: a burst of frames from a browser then takes
// a quarter of the reads and parser calls, which cut the gateway's CPU per
// relayed GiB by 40% (docs/PERFORMANCE.md). The buffer is part of each
// connection object, so it costs 48 KiB more per session, not per socket.
struct GatewayWsConfig : websocketpp::config::asio {
    static const size_t connection_read_buffer_size = 64 * 1024;
};

}  // namespace sockgate::gateway

namespace websocketpp::processor {

// websocketpp 0.8.2 unmasks what a client sends one byte at a time (its own
// comment there says "TODO: SIMD masking"); that loop was half the gateway's
// CPU time when relaying (docs/PERFORMANCE.md). This specialisation of its
// payload step, for the gateway's configuration only, does the same work a
// word at a time and otherwise what websocketpp does: append to the message,
// decompress if the extension is on, check text is UTF-8, count the bytes.
template <>
inline size_t hybi13<sockgate::gateway::GatewayWsConfig>::process_payload_bytes(uint8_t* buf, size_t len,
                                                                                 lib::error_code& ec) {
    if (frame::get_masked(m_basic_header))
        m_current_msg->prepared_key = sockgate::gateway::unmask_prepared(buf, len, m_current_msg->prepared_key);

    std::string& out = m_current_msg->msg_ptr->get_raw_payload();
    const size_t offset = out.size();
    if (m_permessage_deflate.is_enabled() && m_current_msg->msg_ptr->get_compressed()) {
        ec = m_permessage_deflate.decompress(buf, len, out);
        if (ec) return 0;
    } else {
        out.append(reinterpret_cast<const char*>(buf), len);
    }
    if (m_current_msg->msg_ptr->get_opcode() == frame::opcode::TEXT &&
        !m_current_msg->validator.decode(out.begin() + long(offset), out.end())) {
        ec = make_error_code(error::invalid_utf8);
        return 0;
    }
    m_bytes_needed -= len;
    return len;
}

}  // namespace websocketpp::processor
