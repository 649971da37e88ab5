// sleep, usleep and nanosleep that suspend the program instead of spinning.
//
// Emscripten's own versions busy-wait on the page's thread, which freezes
// the page and, worse, starves the WebSocket: a program that sleeps between
// sends would never see a reply. These suspend with Asyncify like a
// blocking socket call, so the gateway's messages keep being handled.
// Module.sockgateStop() interrupts them, which ends the program (fail()).

#include <errno.h>
#include <time.h>
#include <unistd.h>

#include <cmath>

#include "wasm/posix/wait.hpp"

using namespace sockgate::posix;

extern "C" {

int nanosleep(const timespec* req, timespec* rem) {
    if (!req || req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L) {
        errno = EINVAL;
        return -1;
    }
    const double ms = double(req->tv_sec) * 1000.0 + double(req->tv_nsec) / 1e6;
    const double deadline = now_ms() + ms;
    for (;;) {
        const double left = deadline - now_ms();
        if (left <= 0) break;
        if (stop_requested()) {
            if (rem) {
                rem->tv_sec = time_t(left / 1000.0);
                rem->tv_nsec = long(std::fmod(left, 1000.0) * 1e6);
            }
            return fail(EINTR);
        }
        sleep_until_woken(left);
    }
    if (rem) *rem = timespec{0, 0};
    return 0;
}

int usleep(useconds_t usec) {
    const timespec ts{time_t(usec / 1000000), long(usec % 1000000) * 1000};
    return nanosleep(&ts, nullptr);
}

unsigned sleep(unsigned seconds) {
    timespec ts{time_t(seconds), 0};
    timespec rem{0, 0};
    if (nanosleep(&ts, &rem) == 0) return 0;
    return unsigned(rem.tv_sec) + (rem.tv_nsec > 0 ? 1 : 0);
}

}  // extern "C"
