// BlockingClient: a synchronous sockgate session for tests and tools.
//
// It owns an io_context, a NativeTransport and a client core, and runs the
// io_context on a background thread of its own, so the session keeps moving
// while the caller is busy elsewhere: frames passed to send() go out, and
// (in automatic credit mode) received data is acknowledged, even while the
// caller blocks in a native recv() on the other end of the relay. Every call
// hands its work to that thread and waits for the outcome.
//
// Each call returns a Result: the value, or an ErrorInfo whose code is the
// gateway's errno name ("ECONNREFUSED"), a local one ("ETIMEDOUT" when the
// call's timeout passed, "ENOTCONN", "EBADF"), or local_error::eof ("EOF").
//
//     BlockingClient c;
//     ASSERT_TRUE(c.start("ws://127.0.0.1:" + std::to_string(port) + "/ws"));
//     auto s = c.connect("127.0.0.1", echo_port);
//     ASSERT_TRUE(s) << s.describe();
//     ASSERT_TRUE(c.send(s->sock, payload));
//     auto back = c.read_exactly(s->sock, payload.size(), 30s);
//     ASSERT_TRUE(back) << back.describe();
//     EXPECT_EQ(*back, payload);
//
// Everything that arrives is recorded whether or not a call waits for it:
// stream data per socket, datagrams, accepted connections, error events,
// closed events, bad input and every text message. A timed-out call leaves
// its request pending; its reply still updates the socket table later.
//
// Use one BlockingClient from one thread at a time. The observation methods
// return copies, taken on the event-loop thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "wasm/core/client.hpp"
#include "wasm/native/native_transport.hpp"

namespace sockgate::client {

class BlockingClient {
public:
    using Duration = std::chrono::milliseconds;
    static constexpr Duration kDefaultTimeout{5000};

    // `options.manual_credit`: received bytes are granted back to the gateway
    // only as recv_some/read_* hand them out (a bounded receive buffer, like
    // a socket's). Otherwise they are granted on arrival (unbounded buffer).
    explicit BlockingClient(ClientOptions options = {});
    // Closes the session (1001) if it is still open, waiting briefly, then
    // stops the event-loop thread.
    ~BlockingClient();
    BlockingClient(const BlockingClient&) = delete;
    BlockingClient& operator=(const BlockingClient&) = delete;

    // ---- session ----
    // Opens the WebSocket (once per BlockingClient). Errors: see
    // TransportStatus::error_code, e.g. ECONNREFUSED, ETIMEDOUT, "HTTP_403".
    Status open(const std::string& url, const TransportOptions& options = {}, Duration timeout = kDefaultTimeout);
    Result<proto::HelloReply> hello(std::optional<std::string> token = std::nullopt,
                                    Duration timeout = kDefaultTimeout);
    // open + hello.
    Result<proto::HelloReply> start(const std::string& url, const TransportOptions& options = {},
                                    std::optional<std::string> token = std::nullopt,
                                    Duration timeout = kDefaultTimeout);
    // Starts the closing handshake and waits for the end of the session.
    Result<SessionClose> close_session(uint16_t code = close_code::normal, std::string reason = {},
                                       Duration timeout = kDefaultTimeout);
    // Waits for the gateway to end the session (e.g. after bad input).
    Result<SessionClose> wait_session_closed(Duration timeout = kDefaultTimeout);
    bool session_open() const;

    // ---- requests ----
    Result<proto::SocketReply> connect(const std::string& host, uint16_t port, Duration timeout = kDefaultTimeout);
    Result<proto::SocketReply> connect(const proto::ConnectRequest& request, Duration timeout = kDefaultTimeout);
    // listen on host:port; nullopt host lets the gateway choose its default.
    Result<proto::SocketReply> listen(std::optional<std::string> host, uint16_t port,
                                      Duration timeout = kDefaultTimeout);
    Result<proto::SocketReply> listen(const proto::ListenRequest& request, Duration timeout = kDefaultTimeout);
    // bind a UDP socket; port 0 picks a free one.
    Result<proto::SocketReply> bind(std::optional<std::string> host, uint16_t port = 0,
                                    Duration timeout = kDefaultTimeout);
    // Half-close; waits until queued data has gone out and the reply came.
    Status shutdown(uint32_t sock, Duration timeout = kDefaultTimeout);
    // Close at once (queued data is discarded, see Client::close).
    Status close(uint32_t sock, Duration timeout = kDefaultTimeout);
    Result<proto::ResolveReply> resolve(const std::string& host, Duration timeout = kDefaultTimeout);
    // Any op with any fields; the whole reply object on success.
    Result<nlohmann::json> request(const std::string& op, const nlohmann::json& fields,
                                   Duration timeout = kDefaultTimeout);

    // ---- TCP streams ----
    // Queues bytes and returns at once; they go out in the background as
    // credit allows (so sending much and then reading cannot deadlock).
    Status send(uint32_t sock, std::string_view bytes);
    // Waits until nothing is queued for `sock` any more.
    Status drain(uint32_t sock, Duration timeout = kDefaultTimeout);
    // At least 1 and at most `max` bytes; "" once the peer's eof (or a clean
    // closed event) has been reached and everything before it was read.
    // Errors: the closed event's error, ECONNRESET, ETIMEDOUT, EBADF.
    Result<std::string> recv_some(uint32_t sock, size_t max = SIZE_MAX, Duration timeout = kDefaultTimeout);
    // Exactly n bytes; "EOF" if the stream ends first (the bytes stay buffered).
    // With manual credit, a waiting read_exactly/read_to_eof grants credit for
    // the bytes it will return as they arrive, so it may exceed the window.
    Result<std::string> read_exactly(uint32_t sock, size_t n, Duration timeout = kDefaultTimeout);
    // Everything until the peer's eof.
    Result<std::string> read_to_eof(uint32_t sock, Duration timeout = kDefaultTimeout);
    // Received bytes not yet handed out by recv_some/read_*.
    size_t available(uint32_t sock) const;
    Status wait_eof(uint32_t sock, Duration timeout = kDefaultTimeout);
    // Waits until the socket is closed and returns its closed error, if any.
    Result<std::optional<ErrorInfo>> wait_closed(uint32_t sock, Duration timeout = kDefaultTimeout);
    // The next connection accepted on `listener` (in arrival order).
    Result<proto::AcceptEvent> wait_accept(uint32_t listener, Duration timeout = kDefaultTimeout);

    // ---- UDP ----
    Status send_to(uint32_t sock, const std::string& addr, uint16_t port, std::string_view payload);
    // The next datagram received on `sock` (in arrival order).
    Result<Datagram> recv_from(uint32_t sock, Duration timeout = kDefaultTimeout);

    // ---- stalling, for tests of the gateway's backpressure ----
    // Stop reading from the WebSocket (a browser tab too busy to run its
    // event loop): whatever the gateway sends backs up on its side.
    void pause_reading();
    void resume_reading();

    // ---- raw frames, for tests of the gateway's input checks ----
    void send_raw_text(std::string text);
    void send_raw_binary(std::string bytes);

    // ---- observation ----
    // Every error event, in order; wait_error returns the next one not yet
    // returned by wait_error.
    std::vector<proto::ErrorEvent> error_events() const;
    Result<proto::ErrorEvent> wait_error(Duration timeout = kDefaultTimeout);
    std::vector<proto::ClosedEvent> closed_events() const;
    // What the core refused from the gateway (see ClientEvents::on_bad_input).
    std::vector<ErrorInfo> bad_input() const;
    // Every text message received from the gateway, raw.
    std::vector<std::string> texts_received() const;
    // Set once the session has ended.
    std::optional<SessionClose> session_close() const;
    // HTTP status, subprotocol, close code and opening error of the WebSocket.
    TransportStatus transport_status() const;
    // A snapshot of one row of the socket table; nullopt for unknown ids.
    std::optional<SocketInfo> socket(uint32_t sock) const;

    // ---- waiting ----
    // Calls done() (on the calling thread) whenever something happened in
    // the session, until it returns true (true) or the timeout passes (false).
    bool run_until(const std::function<bool()>& done, Duration timeout = kDefaultTimeout);
    // Calls holds() whenever something happened in the session, for the
    // whole quiet period; false as soon as it returns false. For "nothing
    // more arrives" checks: name the quiet period for what it is.
    bool stays_true_for(const std::function<bool()>& holds, Duration quiet_period);
    // Lets the session run for `duration` while the caller waits; whatever
    // arrives meanwhile is recorded (and, in automatic mode, acknowledged).
    // For pacing a peer, never as a wait before an assertion.
    void run_for(Duration duration);

    // Runs fn on the event-loop thread with the client core, for what the
    // wrapper does not cover (Client::consume, Client::grant_now, ...). Event
    // callbacks set there also run on that thread. The wrapper records
    // through on_data, on_datagram, on_accept, on_error, on_closed,
    // on_bad_input and on_wire_text: wrap those rather than replace them.
    // fn must not call this BlockingClient.
    void with_core(const std::function<void(Client&)>& fn);

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sockgate::client
