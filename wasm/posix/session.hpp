// The program's one gateway session: a WebSocket to the gateway, the client
// core on it, and the routing of the gateway's events into the program's
// sockets (receive buffers, accept queues, end-of-stream, errors).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "wasm/browser/browser_transport.hpp"
#include "wasm/core/client.hpp"
#include "wasm/core/tapped_transport.hpp"
#include "wasm/posix/socket.hpp"

namespace sockgate::posix {

// The local errno for an error code from the gateway (EIO when unknown here).
int errno_of(const proto::ErrorInfo& error);

class Session {
public:
    enum class State { opening, ready, ended };

    // The session for new gateway sockets: the open one, or a new one when
    // there is none yet or the last one ended (the gateway went away).
    // nullptr with err = ENETDOWN once the program is being stopped.
    static Session* acquire(int& err);

    // Module.sockgateStop(): ends the session for good. Sockets close with
    // ECONNRESET, blocked calls return (and fail() then ends the program),
    // and no new session opens.
    static void stop();

    State state() const { return state_; }
    bool alive() const { return state_ != State::ended; }
    // Why the session ended or could not open: an errno value.
    int end_error() const { return end_error_; }

    // Calls fn(0) once the gateway answered hello, or fn(errno) if the
    // session ends first; at once when that is already decided.
    void when_ready(std::function<void(int err)> fn);
    // Blocks until the session is ready or ended; returns 0 or the errno.
    int wait_ready();

    client::Client& client() { return client_; }
    // Bytes handed to the WebSocket and not yet sent (bufferedAmount).
    size_t unsent() const { return browser_.buffered_amount(); }

    // From now on the gateway's events for s->gw go to s.
    void adopt(const std::shared_ptr<Socket>& s);
    // The program closed s: close its gateway socket, after the data still
    // waiting for credit has gone out, and any connections queued on a
    // listener that accept() never took.
    void release(Socket& s);
    // Bytes the program took out of a TCP socket's receive buffer: returns
    // them to the gateway as credit, so a slow reader slows the sender.
    void consumed(const Socket& s, size_t n);

private:
    Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void open();
    void on_hello(const client::Result<proto::HelloReply>& reply);
    void end(int err);
    std::shared_ptr<Socket> find(uint32_t gw) const;
    void wire_events();
    static void at_exit();

    std::string url_;
    client::BrowserTransport browser_;
    // Wakes the suspended program after every report of the browser transport.
    client::TappedTransport transport_;
    client::Client client_;
    State state_ = State::opening;
    int end_error_ = 0;
    std::vector<std::function<void(int)>> ready_waiters_;
    std::map<uint32_t, std::shared_ptr<Socket>> sockets_;
    // Released streams whose queued data still waits for credit.
    std::map<uint32_t, bool> close_when_drained_;
};

}  // namespace sockgate::posix
