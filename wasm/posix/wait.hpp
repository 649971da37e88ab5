// How a blocking socket call waits without blocking the page.
//
// The program runs on the page's (or worker's) only thread, and the
// WebSocket's messages arrive as JavaScript events on that same thread. So a
// blocking call cannot spin: it suspends the whole wasm call stack with
// Asyncify (an EM_ASYNC_JS promise), which returns control to the event loop.
// Every message from the gateway is handled by the client core while the
// program sleeps, and then wakes it (wake()); the program resumes inside the
// call, checks whether what it waits for has happened, and sleeps again if
// not. No polling interval, no threads, no SharedArrayBuffer.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace sockgate::posix {

// Suspends the program until wake() is called or timeout_ms pass (negative:
// no timeout). Returns true when woken. Must be called from the program's
// own code, never from a callback of the client core.
bool sleep_until_woken(double timeout_ms);
// Ends the current sleep_until_woken, if any. Cheap; safe at any time.
void wake();
// Lets the event loop run once (so queued WebSocket messages get handled)
// and returns. Used when a call is about to report EAGAIN or "nothing
// ready", so a program that polls in a loop still receives data.
void yield_to_event_loop();
// A monotonic clock in milliseconds.
double now_ms();

// Stopping (Module.sockgateStop): from then on waits return at once.
bool stop_requested();
void set_stop_requested();

// The exit status of a stopped program: 128 + SIGINT, what a shell reports
// for a program ended with Ctrl+C.
constexpr int kStoppedExitStatus = 128 + 2;

// Sets errno to err and returns -1: the way every socket call fails. Once
// the program is being stopped, the call that fails ends the program
// instead, with kStoppedExitStatus, as Ctrl+C ends a native one: Stop is
// the user's doing, not an error for the program to report, and a program
// that retries in a loop must not keep the page busy.
int fail(int err);

// Waits until ready() holds. Returns 0 once it does; EAGAIN when
// `nonblocking` (after yielding once) or when timeout_ms (negative: none)
// runs out first, as SO_RCVTIMEO/SO_SNDTIMEO do; ECONNRESET when the
// program is being stopped. ready() is checked before every sleep, so a
// condition that already holds costs no sleep.
int wait_until(const std::function<bool()>& ready, bool nonblocking, double timeout_ms = -1);

// Where the gateway is: Module.sockgateUrl, else ws(s)://<page host>/ws.
// Empty when neither is known (Node without sockgateUrl).
std::string gateway_url();
// Module.sockgateToken, for a gateway started with --token.
std::optional<std::string> gateway_token();

}  // namespace sockgate::posix
