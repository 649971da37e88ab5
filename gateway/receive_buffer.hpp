// The one buffer that every socket served by a thread receives into.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sockgate::gateway {

// Room for the largest read a socket makes (a 256 KiB TCP chunk, or a whole
// UDP datagram) plus the frame header written in front of it.
constexpr size_t kReceiveBufferSize = 260 * 1024;

// Sockets wait until the kernel has data for them, then read it here and
// hand it to the WebSocket (which copies it) before their handler returns;
// nothing refers to the buffer between handlers. A buffer per socket kept a
// 64 KiB read pending on every idle socket, which at ten thousand sockets
// was most of the gateway's memory (docs/PERFORMANCE.md has the figures). One per thread keeps handlers on
// different threads apart should the gateway ever run more than one.
uint8_t* receive_buffer();

}  // namespace sockgate::gateway
