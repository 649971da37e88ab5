// Everything sockgate does that depends on how websocketpp 0.8.2 works
// inside, in one header. Each piece below replaces or reaches past a part
// of websocketpp that is not its public interface; the version check makes
// an upgrade fail to compile here, and the list says what to compare with
// the new version's code before raising it.
//
// 1. One read in flight (SOCKGATE_WEBSOCKETPP_ONE_READ_AT_A_TIME): replaces
//    connection::read_frame (impl/connection_impl.hpp). Used by the
//    gateway's configurations and the native client's.
// 2. Unmasking a word at a time (SOCKGATE_WEBSOCKETPP_UNMASK_WITH):
//    replaces processor::hybi13::process_payload_bytes
//    (processors/hybi13.hpp) and names its members m_basic_header,
//    m_current_msg, m_permessage_deflate and m_bytes_needed. The gateway's.
// 3. Prepared binary frames (send_prepared_binary): builds the frame header
//    with frame::prepare_header and marks the message prepared, so
//    websocketpp sends it as it is (connection::send, write_push).
// 4. Responses the gateway writes itself (defer_response,
//    end_deferred_response): rely on what defer_http_response and
//    terminate leave of the connection (impl/connection_impl.hpp).
#pragma once

#include <asio.hpp>
#include <websocketpp/connection.hpp>
#include <websocketpp/connection_base.hpp>
#include <websocketpp/frame.hpp>
#include <websocketpp/processors/hybi13.hpp>
#include <websocketpp/version.hpp>

#include <cstddef>
#include <cstdint>

static_assert(websocketpp::major_version == 0 && websocketpp::minor_version == 8 && websocketpp::patch_version == 2,
              "support/websocketpp/internals.hpp relies on websocketpp 0.8.2's internals; check each piece it "
              "lists against the new version before upgrading");

namespace sockgate::ws {

// ---- 1. One read in flight ----
//
// websocketpp 0.8.2 can have two reads in flight on one connection, both
// into the same buffer, and then hands the parser bytes out of order.
// pause_reading() only clears a flag, and does so from a posted handler, so
// the read already requested stays in flight. resume_reading() sets the flag
// and requests a read without asking whether one is still pending. A
// connection paused and resumed while its peer sent nothing therefore ends
// up with two reads; the next burst that fills the first one's buffer
// overwrites it from the second, and the connection dies on a corrupt frame
// (the gateway's 30-minute soak lost sessions this way; a test for each
// end, in tests/integration/tcp_relay_test.cpp and hostile_client_test.cpp,
// shows it in two seconds).
//
// The fix, for the configurations that pause and resume: their connection
// base records whether a read is in flight, and their read_frame() requests
// one only when none is. Give the configuration `typedef
// sockgate::ws::OneReadConnectionBase connection_base;`, include
// websocketpp's server.hpp or client.hpp, then this header, and expand
// SOCKGATE_WEBSOCKETPP_ONE_READ_AT_A_TIME(Config) at global scope before any
// code that uses the endpoint.
struct OneReadConnectionBase : websocketpp::connection_base {
    bool read_in_flight = false;
};

// ---- 2. Unmasking a word at a time ----
//
// websocketpp 0.8.2 unmasks what a client sends one byte at a time; that
// loop was the gateway's largest cost when relaying (docs/PERFORMANCE.md). The
// payload step below does the same work with `unmask` (a word at a time,
// gateway/unmask.hpp) and otherwise what websocketpp does: append to the
// message, decompress if the extension is on, check text is UTF-8, count the
// bytes. The processor's members are passed in because only its own member
// functions may name them.
template <typename Message, typename Deflate, typename Unmask>
inline size_t payload_step(uint8_t* buf, size_t len, websocketpp::lib::error_code& ec, bool masked, Message& msg,
                           Deflate& deflate, size_t& bytes_needed, Unmask unmask) {
    if (masked) msg.prepared_key = unmask(buf, len, msg.prepared_key);

    std::string& out = msg.msg_ptr->get_raw_payload();
    const size_t offset = out.size();
    if (deflate.is_enabled() && msg.msg_ptr->get_compressed()) {
        ec = deflate.decompress(buf, len, out);
        if (ec) return 0;
    } else {
        out.append(reinterpret_cast<const char*>(buf), len);
    }
    if (msg.msg_ptr->get_opcode() == websocketpp::frame::opcode::TEXT &&
        !msg.validator.decode(out.begin() + long(offset), out.end())) {
        ec = websocketpp::processor::error::make_error_code(websocketpp::processor::error::invalid_utf8);
        return 0;
    }
    bytes_needed -= len;
    return len;
}

// ---- 3. Prepared binary frames ----
//
// Given raw bytes, websocketpp copies them into one message and then, after
// zero-filling it, into a second one for the wire: two allocations, a memset
// and two copies per relayed chunk. Here the frame is prepared, header and
// all, and goes out as it is: one allocation, one copy.
template <typename ConPtr>
void send_prepared_binary(const ConPtr& con, const uint8_t* data, size_t size) {
    namespace frame = websocketpp::frame;
    auto msg = con->get_message(frame::opcode::binary, size);
    msg->set_header(frame::prepare_header(frame::basic_header(frame::opcode::binary, size, true, false),
                                          frame::extended_header(size)));
    msg->append_payload(data, size);
    msg->set_prepared(true);
    con->send(msg);  // returns an error once closing; nothing to do then
}

// ---- 4. Responses written by the gateway itself ----
//
// - defer_http_response() in the HTTP handler cancels the handshake timer
//   and leaves the connection with no operation pending and nothing to
//   write until send_http_response(), which is never called, so the raw
//   socket is ours. Nor does it time out: the writer's send timeout does.
// - end_deferred_response() then does what websocketpp does after writing a
//   response of its own (handle_write_http_response): terminate() with
//   http_connection_ended on success, which marks the connection closed
//   without calling a fail handler, or with the write error, which calls
//   one if set. terminate() shuts the socket down both ways at once (the FIN
//   follows the body already queued) and does nothing when called again;
//   the socket closes when the last connection_ptr goes, unless closed
//   here first, which websocketpp no longer minds once terminated.
template <typename ConPtr>
void defer_response(const ConPtr& con) {
    con->defer_http_response();
}

template <typename ConPtr>
void end_deferred_response(const ConPtr& con, const asio::error_code& ec) {
    con->terminate(ec ? websocketpp::lib::error_code(ec)
                      : websocketpp::error::make_error_code(websocketpp::error::http_connection_ended));
    if (ec == asio::error::timed_out) {
        // A reset discards what the client never took, instead of the kernel
        // holding it for a reader that does not read. Closed here because
        // asio turns the linger off when it closes a socket it destroys.
        // get_raw_socket() is the TCP socket itself, under TLS too.
        asio::error_code ignored;
        con->get_raw_socket().set_option(asio::socket_base::linger(true, 0), ignored);
        con->get_raw_socket().close(ignored);
    }
}

}  // namespace sockgate::ws

// The macros of pieces 1 and 2: explicit specialisations, so at global
// scope, once per configuration.

// websocketpp's read_frame() with the check and the record added; the rest
// (the 1-byte minimum, the configured buffer size, handle_read_frame as the
// completion) is as in websocketpp/impl/connection_impl.hpp.
#define SOCKGATE_WEBSOCKETPP_ONE_READ_AT_A_TIME(Config)                                               \
    template <>                                                                                       \
    inline void websocketpp::connection<Config>::read_frame() {                                       \
        if (!m_read_flag || this->read_in_flight) return;                                             \
        this->read_in_flight = true;                                                                  \
        transport_con_type::async_read_at_least(                                                      \
            1, m_buf, Config::connection_read_buffer_size,                                            \
            [self = get_shared()](websocketpp::lib::error_code const& ec, size_t bytes_transferred) { \
                self->read_in_flight = false;                                                         \
                self->handle_read_frame(ec, bytes_transferred);                                       \
            });                                                                                       \
    }

// hybi13's payload step for `Config`, unmasking with `unmask`
// (size_t(uint8_t*, size_t, size_t prepared_key)).
#define SOCKGATE_WEBSOCKETPP_UNMASK_WITH(Config, unmask)                                                            \
    template <>                                                                                                     \
    inline size_t websocketpp::processor::hybi13<Config>::process_payload_bytes(uint8_t* buf, size_t len,           \
                                                                                websocketpp::lib::error_code& ec) { \
        return sockgate::ws::payload_step(buf, len, ec, websocketpp::frame::get_masked(m_basic_header),             \
                                          *m_current_msg, m_permessage_deflate, m_bytes_needed, unmask);            \
    }
