// websocketpp 0.8.2 can have two reads in flight on one connection, both
// into the same buffer, and then hands the parser bytes out of order.
//
// How: pause_reading() only clears a flag, and does so from a posted handler,
// so the read already requested stays in flight. resume_reading() sets the
// flag and requests a read without asking whether one is still pending. A
// connection paused and resumed while its peer sent nothing therefore ends
// up with two reads; the next burst that fills the first one's buffer
// overwrites it from the second, and the connection dies on a corrupt frame
// (the gateway's 30-minute soak lost sessions this way, and a test in
// tests/integration/hostile_client_test.cpp shows it in two seconds).
//
// The fix, for the configurations that pause and resume (the gateway's and
// the native client's): their connection base records whether a read is in
// flight, and their read_frame() requests one only when none is.
// Give the configuration `typedef sockgate::ws::OneReadConnectionBase
// connection_base;`, include websocketpp's server.hpp or client.hpp, then
// this, and expand SOCKGATE_WEBSOCKETPP_ONE_READ_AT_A_TIME(Config) at global
// scope before any code that uses the endpoint.
#pragma once

#include <websocketpp/connection.hpp>
#include <websocketpp/connection_base.hpp>
#include <websocketpp/version.hpp>

static_assert(websocketpp::major_version == 0 && websocketpp::minor_version == 8 &&
                  websocketpp::patch_version == 2,
              "support/websocketpp/one_read_at_a_time.hpp replaces websocketpp 0.8.2's connection::read_frame; "
              "check it against the new version's before upgrading");

namespace sockgate::ws {

struct OneReadConnectionBase : websocketpp::connection_base {
    bool read_in_flight = false;
};

}  // namespace sockgate::ws

// websocketpp's read_frame() with the check and the record added; the rest
// (the 1-byte minimum, the configured buffer size, handle_read_frame as the
// completion) is as in websocketpp/impl/connection_impl.hpp.
#define SOCKGATE_WEBSOCKETPP_ONE_READ_AT_A_TIME(Config)                                                  \
    template <>                                                                                          \
    inline void websocketpp::connection<Config>::read_frame() {                                          \
        if (!m_read_flag || this->read_in_flight) return;                                                \
        this->read_in_flight = true;                                                                     \
        transport_con_type::async_read_at_least(                                                         \
            1, m_buf, Config::connection_read_buffer_size,                                               \
            [self = get_shared()](websocketpp::lib::error_code const& ec, size_t bytes_transferred) {     \
                self->read_in_flight = false;                                                            \
                self->handle_read_frame(ec, bytes_transferred);                                          \
            });                                                                                          \
    }
