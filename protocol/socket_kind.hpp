// The three kinds of socket a session holds, named the same way by the
// gateway, the client core and the JS API.
#pragma once

#include <cstdint>

namespace sockgate::proto {

enum class SocketKind : uint8_t {
    tcp_stream,    // from connect, or from an accept event
    tcp_listener,  // from listen
    udp,           // from bind
};

// As the JS API and the tools show it: "tcp", "listener", "udp".
inline const char* to_string(SocketKind kind) {
    switch (kind) {
        case SocketKind::tcp_stream:
            return "tcp";
        case SocketKind::tcp_listener:
            return "listener";
        case SocketKind::udp:
            return "udp";
    }
    return "unknown";
}

// In a sentence: "socket 3 is a TCP listener, not a connected TCP stream".
inline const char* describe(SocketKind kind) {
    switch (kind) {
        case SocketKind::tcp_stream:
            return "a TCP stream";
        case SocketKind::tcp_listener:
            return "a TCP listener";
        case SocketKind::udp:
            return "a UDP socket";
    }
    return "a socket";
}

}  // namespace sockgate::proto
