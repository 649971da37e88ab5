// The sockgate client core: one session with a gateway over one Transport.
//
// Single-threaded and callback-driven: every method must be called on the
// thread that delivers the transport's reports, and every callback runs on
// it. Nothing here blocks, and nothing depends on asio or websocketpp, so the
// same code serves the browser build and native tools (see
// native/blocking_client.hpp for a synchronous wrapper).
//
// Typical use:
//
//     Client client(transport);
//     client.events().on_open = [&] {
//         client.hello(std::nullopt, [&](Result<proto::HelloReply> r) {
//             if (!r) return report(r.error());
//             client.connect("127.0.0.1", 7, [&](Result<proto::SocketReply> s) {
//                 if (s) client.send(s->sock, "hello");
//             });
//         });
//     };
//     client.events().on_data = [](uint32_t sock, std::string_view bytes) { ... };
//
// Request callbacks run exactly once: with the reply, with the error reply,
// with the error of an `error` event carrying the request's id, or with
// ECONNRESET when the session ends first. A request that cannot be sent at
// all (session not open, bad socket) is failed before the call returns, and
// the call returns id 0. Destroying the Client drops pending callbacks
// without calling them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/messages.hpp"
#include "wasm/core/result.hpp"
#include "wasm/core/send_queue.hpp"
#include "wasm/core/socket_info.hpp"
#include "wasm/core/transport.hpp"

namespace sockgate::client {

enum class SessionState {
    connecting,  // transport not open yet
    open,        // transport open; hello not (successfully) answered yet
    ready,       // hello reply received: window and max_frame known
    closing,     // close_session() called, waiting for the transport
    closed,      // transport closed; the Client is finished
};
const char* to_string(SessionState state);

enum class Direction { in, out };

// A datagram's source as reported by the gateway.
struct Datagram {
    proto::Endpoint from;
    std::string payload;
};

// How the session ended (the transport's on_close).
struct SessionClose {
    uint16_t code = 0;
    std::string reason;
};

// Everything the client reports that is not a request's reply. Unset
// callbacks are skipped. Callbacks may call back into the Client.
struct ClientEvents {
    // The transport opened; send hello now.
    std::function<void()> on_open;
    // Stream bytes for a TCP socket. In automatic credit mode they count as
    // consumed when the callback returns; in manual mode see Client::consume.
    std::function<void(uint32_t sock, std::string_view bytes)> on_data;
    std::function<void(uint32_t sock, const proto::Endpoint& from, std::string_view payload)> on_datagram;
    // A listener accepted a connection; the new socket is already in the table.
    std::function<void(const proto::AcceptEvent& event)> on_accept;
    // The peer half-closed (FIN): no more data will arrive on `sock`.
    std::function<void(uint32_t sock)> on_eof;
    // The gateway ended a socket (closed event). Not called for close().
    std::function<void(uint32_t sock, const std::optional<ErrorInfo>& error)> on_closed;
    // An error event from the gateway.
    std::function<void(const proto::ErrorEvent& event)> on_error;
    // Input from the gateway that the client could not accept: malformed
    // JSON or frames (EBADMSG), or messages breaking the protocol such as a
    // reply with an unknown id, a frame for an unknown socket, or data beyond
    // the granted credit (EPROTO). The session carries on.
    std::function<void(const ErrorInfo& problem)> on_bad_input;
    // A socket's send queue became empty after data had waited for credit.
    std::function<void(uint32_t sock)> on_drained;
    // The transport closed; every socket is closed and every request failed.
    std::function<void(uint16_t code, std::string_view reason)> on_session_closed;
    // Wire observers: every text message / binary frame, in and out, raw
    // sends included, before it is handled (in) or as it is sent (out).
    // Unlike the callbacks above they must not call into the Client.
    std::function<void(Direction dir, std::string_view text)> on_wire_text;
    std::function<void(Direction dir, std::string_view frame)> on_wire_binary;
};

struct ClientOptions {
    // Manual credit for sockets created from now on (change it with
    // Client::set_manual_credit): received bytes are granted back only after
    // Client::consume, instead of automatically after on_data returns.
    bool manual_credit = false;
    // Grant credit back once this many consumed bytes have accumulated on a
    // socket. 0 means half the socket's window. Values above the window act
    // as the window. Granting in batches keeps WINDOW frames few; any
    // threshold up to the window keeps the gateway from stalling once all
    // data is consumed.
    uint32_t grant_threshold = 0;
    // Let a socket's receive window grow (up to the gateway's max_window)
    // while the window, not the program, holds the stream back.
    bool grow_windows = true;
};

class Client : private TransportHandler {
public:
    template <class T>
    using Callback = std::function<void(Result<T>)>;

    // Becomes `transport`'s handler. The transport must outlive the Client.
    explicit Client(Transport& transport, ClientOptions options = {});
    ~Client() override;
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    ClientEvents& events() { return events_; }

    // ---- session ----
    SessionState state() const { return state_; }
    // The hello reply, once the session is ready.
    const std::optional<proto::HelloReply>& session() const { return hello_; }
    // Flow-control window and largest frame from the hello reply (0 before).
    uint32_t window() const { return hello_ ? hello_->window : 0; }
    uint32_t max_window() const { return hello_ ? hello_->max_window : 0; }
    uint32_t max_frame() const { return hello_ ? hello_->max_frame : 0; }
    // Set once the transport has closed.
    const std::optional<SessionClose>& session_close() const { return session_close_; }

    // The first request of a session.
    int64_t hello(std::optional<std::string> token, Callback<proto::HelloReply> done);
    // Closes the WebSocket; on_session_closed follows.
    void close_session(uint16_t code = close_code::normal, std::string reason = {});

    // ---- requests (each returns its id, or 0 if it was failed at once) ----
    int64_t connect(const proto::ConnectRequest& request, Callback<proto::SocketReply> done);
    int64_t connect(const std::string& host, uint16_t port, Callback<proto::SocketReply> done);
    int64_t listen(const proto::ListenRequest& request, Callback<proto::SocketReply> done);
    int64_t bind(const proto::BindRequest& request, Callback<proto::SocketReply> done);
    // Half-close after everything queued on `sock` has been sent: the request
    // waits for the send queue to drain. send() fails with EPIPE from now on.
    int64_t shutdown(uint32_t sock, Callback<Done> done);
    // Close at once. Data still queued for credit is discarded, and data
    // arriving until the reply is dropped. The socket stays in the table as
    // closed (see forget_closed).
    int64_t close(uint32_t sock, Callback<Done> done);
    int64_t resolve(const std::string& host, Callback<proto::ResolveReply> done);
    // Any op with any fields, for tests of the gateway's validation. The
    // reply's whole JSON object is passed on. Replies to connect, listen,
    // bind and close still update the socket table.
    int64_t request(const std::string& op, const nlohmann::json& fields, Callback<nlohmann::json> done);
    size_t pending_requests() const { return pending_.size(); }

    // ---- data ----
    // Queue stream bytes; frames go out as far as credit allows, each with
    // at most max_frame - 5 payload bytes, the rest when WINDOW frames come.
    // Errors: EBADF (unknown or closed socket), EOPNOTSUPP (not a TCP
    // stream), EPIPE (after shutdown), ENOTCONN (session not open).
    Status send(uint32_t sock, std::string_view bytes);
    // One datagram to addr:port (a numeric IPv4/IPv6 address). Errors as
    // send(), plus EINVAL (bad address) and EMSGSIZE.
    Status send_to(uint32_t sock, const std::string& addr, uint16_t port, std::string_view payload);
    // Manual credit: the application has processed n more delivered bytes.
    // EINVAL if n exceeds the delivered, unconsumed bytes.
    Status consume(uint32_t sock, uint64_t n);
    // Switch one socket's credit mode. Leaving manual mode consumes all
    // delivered bytes.
    Status set_manual_credit(uint32_t sock, bool manual);
    // Grant all consumed, ungranted bytes now instead of waiting for the
    // batch threshold.
    Status grant_now(uint32_t sock);

    // ---- DATA frames read and written by the caller ----
    // For a caller that owns the WebSocket's stream data (the browser page,
    // where copying every payload into wasm memory and out again costs more
    // than the protocol work): it reads and writes DATA frames' 5-byte
    // header itself and tells the Client only their sizes. The Client still
    // checks, counts and grants everything, and writes all other messages.
    //
    // A DATA frame of n payload bytes for `sock` arrived. Checks and counts
    // it as on_binary would, without calling on_data (and without the wire
    // observer), and in automatic credit mode counts the bytes as consumed.
    // Returns whether the caller should deliver the bytes: false when they
    // are dropped (socket closing) or broke the protocol (on_bad_input).
    bool on_data_read_elsewhere(uint32_t sock, uint64_t n);
    // For a caller about to send n stream bytes on `sock`: takes the credit
    // for as many of them as may go out now and returns that count, which
    // the caller must write at once in DATA frames of at most max_payload()
    // bytes, before anything else goes out. The rest goes to send(), which
    // queues it behind. 0 while earlier bytes wait in the queue. Errors as
    // send().
    Result<uint64_t> take_send_credit(uint32_t sock, uint64_t n);
    // The largest DATA payload the gateway accepts (max_frame - 5).
    size_t max_payload() const;
    // A well-formed WINDOW frame (increment > 0) arrived: as on_binary
    // would, without the wire observer. Sends what waits in the Client's
    // queue; the caller sends what waits on its side after that.
    void on_window_read_elsewhere(uint32_t sock, uint32_t increment);

    // ---- DATAGRAM frames read and written by the caller ----
    // The same for UDP: the caller reads and writes DATAGRAM frames whole
    // (header, address, port, payload) and the Client checks and counts.
    //
    // A well-formed DATAGRAM frame of n payload bytes for `sock` arrived.
    // Checks and counts it as on_binary would, without calling on_datagram
    // or the wire observer. Returns whether the caller should deliver it.
    bool on_datagram_read_elsewhere(uint32_t sock, uint64_t n);
    // For a caller about to write a DATAGRAM frame of n payload bytes for
    // `sock` to an address of `family` (4 or 6): checks, as send_to() does,
    // that the socket may send it and that it fits a frame, and counts it.
    // On success the caller must write the frame at once.
    Status take_datagram_send(uint32_t sock, uint8_t family, uint64_t n);

    // Bytes waiting for credit on one socket / on all sockets.
    uint64_t queued(uint32_t sock) const;
    uint64_t queued_total() const;

    // ---- socket table ----
    // nullptr for an id the client never saw (or forgot).
    const SocketInfo* socket(uint32_t sock) const;
    std::vector<uint32_t> socket_ids() const;
    // Drops closed sockets from the table.
    void forget_closed();

    // ---- raw access for tests: no checks, no bookkeeping ----
    void send_raw_text(std::string text);
    void send_raw_binary(std::string bytes);

    // How often on_bad_input fired.
    uint64_t bad_input_count() const { return bad_input_count_; }

private:
    using RawDone = std::function<void(Result<nlohmann::json>)>;

    struct Pending {
        std::string op;
        uint32_t sock = 0;  // shutdown and close: the socket concerned
        RawDone done;
    };

    struct Socket {
        SocketInfo info;
        SendQueue out;
        // A shutdown waiting for `out` to drain: its request id and text.
        int64_t deferred_shutdown_id = 0;
        std::string deferred_shutdown_text;
    };

    // TransportHandler
    void on_open() override;
    void on_text(std::string_view text) override;
    void on_binary(std::string_view bytes) override;
    void on_close(uint16_t code, std::string_view reason) override;

    // Requests and replies.
    int64_t start_request(const std::string& op, const nlohmann::json& fields, uint32_t sock, RawDone done,
                          bool defer_until_drained = false);
    void on_reply(const proto::Envelope& env);
    void finish_request(int64_t id, Result<nlohmann::json> result);
    Result<nlohmann::json> apply_reply(const Pending& pending, const proto::Envelope& env);
    void apply_failed_reply(const Pending& pending);

    // Events.
    void on_event(const proto::Envelope& env);
    void on_accept_event(const proto::Envelope& env);
    void on_eof_event(const proto::Envelope& env);
    void on_closed_event(const proto::Envelope& env);
    void on_error_event(const proto::Envelope& env);

    // Frames.
    void on_data_frame(uint32_t sock, std::string_view payload);
    // Checks a DATA frame of n bytes and counts it; the socket, or nullptr
    // when the bytes are not to be delivered.
    Socket* admit_data(uint32_t sock, uint64_t n);
    void on_datagram_frame(uint32_t sock, const proto::IpAddress& addr, uint16_t port, std::string_view payload);
    // Checks a DATAGRAM frame of n bytes and counts it, as admit_data.
    Socket* admit_datagram(uint32_t sock, uint64_t n);
    void on_window_frame(uint32_t sock, uint32_t increment);

    // Socket table and flow control.
    Socket& add_socket(uint32_t id, SocketKind kind);
    Socket* find(uint32_t sock);
    const Socket* find(uint32_t sock) const;
    Status check_writable(uint32_t sock, SocketKind kind) const;
    void flush(Socket& s);
    void consumed(Socket& s, uint64_t n);
    void grant(Socket& s);
    uint64_t grant_threshold(const Socket& s) const;
    uint64_t receive_window_growth(Socket& s);
    // Marks a socket closed, discards its queue and fails a deferred shutdown.
    void mark_closed(Socket& s, std::optional<ErrorInfo> error);

    void write_text(std::string text);
    void write_binary(std::string bytes);
    void bad_input(std::string code, std::string message);
    bool transport_open() const { return state_ == SessionState::open || state_ == SessionState::ready; }

    Transport& transport_;
    ClientOptions options_;
    ClientEvents events_;
    SessionState state_ = SessionState::connecting;
    std::optional<proto::HelloReply> hello_;
    std::optional<SessionClose> session_close_;
    int64_t next_id_ = 1;
    std::map<int64_t, Pending> pending_;
    std::map<uint32_t, Socket> sockets_;
    uint64_t bad_input_count_ = 0;
};

}  // namespace sockgate::client
