#include "support/tuning/malloc_tuning.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc systems; the test below needs it

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace sockgate::support {

void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
    // Blocks up to 32 MiB (glibc's largest mmap threshold, far above the
    // default 1 MiB message limit) come from the heap rather than from mmap,
    // and the heap is trimmed only once 64 MiB sit free at its top. Setting
    // them also stops glibc adjusting both itself from a 128 KiB start.
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif
}

}  // namespace sockgate::support
