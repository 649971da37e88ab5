// Keeps freed message buffers in the process for reuse.
#pragma once

namespace sockgate::support {

// websocketpp allocates a buffer for every message it sends or receives, up
// to a frame of relayed data each. With glibc's defaults a burst of
// such buffers, once freed, is returned to the kernel (heap trim, munmap) and
// faulted back in for the next burst; on a VM each return also costs a
// TLB-shootdown interrupt. That was the largest part of the gateway's CPU
// time per relayed byte, and of a native client's (docs/PERFORMANCE.md).
// Every native program that runs websocketpp (the gateway, sockgate-cat,
// the bench) calls this once at start-up, before any threads exist.
void keep_freed_memory_for_reuse();

}  // namespace sockgate::support
