#include "wasm/core/socket_info.hpp"

namespace sockgate::client {

const char* to_string(SocketState state) {
    switch (state) {
        case SocketState::open:
            return "open";
        case SocketState::closing:
            return "closing";
        case SocketState::closed:
            return "closed";
    }
    return "unknown";
}

}  // namespace sockgate::client
