#include "gateway/receive_buffer.hpp"

#include <memory>

namespace sockgate::gateway {

uint8_t* receive_buffer() {
    // Allocated without zero-filling: pages become resident only as reads
    // reach them.
    thread_local const std::unique_ptr<uint8_t[]> buffer(new uint8_t[kReceiveBufferSize]);
    return buffer.get();
}

}  // namespace sockgate::gateway
