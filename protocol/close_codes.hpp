// WebSocket close codes (RFC 6455 section 7.4) that either side of sockgate
// sends or reports, named once for both. PROTOCOL.md section 8 says which
// side sends which, and when.
#pragma once

#include <cstdint>

namespace sockgate::proto::close_code {

inline constexpr uint16_t normal = 1000;
inline constexpr uint16_t going_away = 1001;  // the gateway shutting down, a client going away
inline constexpr uint16_t protocol_error = 1002;
inline constexpr uint16_t unsupported_data = 1003;
// Never sent on the wire: reported locally when the connection ended without
// a close frame, or could not be opened at all (refused, handshake failed).
inline constexpr uint16_t abnormal = 1006;
inline constexpr uint16_t invalid_payload = 1007;
inline constexpr uint16_t policy_violation = 1008;  // no or bad hello, not reading
inline constexpr uint16_t message_too_big = 1009;
inline constexpr uint16_t internal_error = 1011;

}  // namespace sockgate::proto::close_code
