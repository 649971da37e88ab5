#include "wasm/posix/wait.hpp"

#include <emscripten.h>
#include <errno.h>

#include <cstdlib>

// ---- JavaScript side -------------------------------------------------------
//
// Module.__sockgate holds the one pending waiter (the program can only ever
// be suspended in one place). The EM_JS bodies below run inside the
// Emscripten module's scope, so they can use its internals (Asyncify, exit,
// ExitStatus); those are stable for the Emscripten release this builds with.

// JavaScript, not C++: clang-format would break its arrows and operators.
// clang-format off
EM_JS(void, sockgate_js_install, (), {
    if (Module['__sockgate']) return;
    Module['__sockgate'] = {waiter: null, exitHooked: false, channel: null, ticks: []};
    // The page's handle for ending the program's gateway session.
    Module['sockgateStop'] = function() {
        if ((typeof ABORT != 'undefined' && ABORT) ||
            (typeof runtimeExited != 'undefined' && runtimeExited)) return false;
        _sockgate_posix_stop();
        return true;
    };
});

// Emscripten 3.1.6 does not exit when main() returns after it has been
// suspended by Asyncify: callMain() saw main unwind and moved on, and nobody
// calls exit() when the rewound main finally returns. Asyncify.whenDone()
// resolves with main's return value at exactly that moment, so hook it the
// first time main suspends, and exit as a plain return from main would.
EM_JS(void, sockgate_js_hook_exit, (), {
    const sg = Module['__sockgate'];
    if (sg.exitHooked || typeof Asyncify == 'undefined') return;
    // Export names are minified in optimized builds; compare functions.
    const bottom = Asyncify.exportCallStack[0];
    const exports = Module['asm'];
    if (!exports || !Module['_main'] || exports[bottom] !== Module['_main']) return;
    if (Asyncify.asyncPromiseHandlers) return;
    sg.exitHooked = true;
    const quiet = (e) => {
        if (e instanceof ExitStatus || e === 'unwind') return;
        throw e;
    };
    Asyncify.whenDone().then((ret) => {
        try { exit(ret, true); } catch (e) { quiet(e); }
    }, quiet);
});

EM_ASYNC_JS(int, sockgate_js_sleep, (double timeout_ms), {
    const sg = Module['__sockgate'];
    return await new Promise((resolve) => {
        let timer = null;
        sg.waiter = (woken) => {
            sg.waiter = null;
            if (timer !== null) clearTimeout(timer);
            resolve(woken);
        };
        if (timeout_ms >= 0) {
            timer = setTimeout(() => { if (sg.waiter) sg.waiter(0); }, Math.min(timeout_ms, 2147483647));
        }
    });
});

EM_JS(void, sockgate_js_wake, (), {
    const sg = Module['__sockgate'];
    if (sg && sg.waiter) sg.waiter(1);
});

// setTimeout(0) is clamped to 4 ms once nested, which would make a polling
// loop crawl; a MessageChannel message (or setImmediate in Node) is not.
EM_ASYNC_JS(void, sockgate_js_yield, (), {
    const sg = Module['__sockgate'];
    await new Promise((resolve) => {
        if (typeof setImmediate == 'function') return setImmediate(resolve);
        if (typeof MessageChannel == 'function') {
            if (!sg.channel) {
                sg.channel = new MessageChannel();
                sg.channel.port1.onmessage = () => { const r = sg.ticks.shift(); if (r) r(); };
            }
            sg.ticks.push(resolve);
            sg.channel.port2.postMessage(0);
            return;
        }
        setTimeout(resolve, 0);
    });
});

EM_JS(char*, sockgate_js_string_setting, (const char* which), {
    const name = UTF8ToString(which);
    let value = Module[name];
    if (name === 'sockgateUrl' && !value && typeof location != 'undefined' && location.host) {
        value = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
    }
    if (typeof value != 'string' || value.length == 0) return 0;
    const size = lengthBytesUTF8(value) + 1;
    const ptr = _malloc(size);
    stringToUTF8(value, ptr, size);
    return ptr;
});
// clang-format on

namespace sockgate::posix {
namespace {

bool g_stop = false;

// Installs Module.sockgateStop before main() runs, so the page can call it
// whatever the program does first.
__attribute__((constructor)) void install_js() { sockgate_js_install(); }

std::optional<std::string> string_setting(const char* name) {
    char* p = sockgate_js_string_setting(name);
    if (!p) return std::nullopt;
    std::string value(p);
    std::free(p);
    return value;
}

}  // namespace

bool sleep_until_woken(double timeout_ms) {
    sockgate_js_install();
    sockgate_js_hook_exit();
    return sockgate_js_sleep(timeout_ms) != 0;
}

void wake() { sockgate_js_wake(); }

void yield_to_event_loop() {
    sockgate_js_install();
    sockgate_js_hook_exit();
    sockgate_js_yield();
}

double now_ms() { return emscripten_get_now(); }

bool stop_requested() { return g_stop; }
void set_stop_requested() { g_stop = true; }

int fail(int err) {
    if (g_stop) std::exit(kStoppedExitStatus);
    errno = err;
    return -1;
}

int wait_until(const std::function<bool()>& ready, bool nonblocking, double timeout_ms) {
    if (ready()) return 0;
    if (nonblocking) {
        yield_to_event_loop();
        return ready() ? 0 : EAGAIN;
    }
    const double deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
    while (!ready()) {
        if (g_stop) return ECONNRESET;
        double left = -1;
        if (deadline >= 0) {
            left = deadline - now_ms();
            if (left <= 0) return EAGAIN;
        }
        sleep_until_woken(left);
    }
    return 0;
}

std::string gateway_url() { return string_setting("sockgateUrl").value_or(std::string()); }

std::optional<std::string> gateway_token() { return string_setting("sockgateToken"); }

}  // namespace sockgate::posix
