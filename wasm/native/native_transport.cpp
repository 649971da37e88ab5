#include "wasm/native/native_transport.hpp"

#include <algorithm>
#include <random>

#include <asio/error.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

#include "protocol/errors.hpp"
#include "support/websocketpp/internals.hpp"

namespace sockgate::client {

// websocketpp's client configuration with one read in flight at a time:
// pause_reading() and resume_reading() would otherwise corrupt the stream.
struct NativeWsConfig : websocketpp::config::asio_client {
    typedef sockgate::ws::OneReadConnectionBase connection_base;
};

}  // namespace sockgate::client

SOCKGATE_WEBSOCKETPP_ONE_READ_AT_A_TIME(sockgate::client::NativeWsConfig)

namespace sockgate::client {

namespace {

using WsClient = websocketpp::client<NativeWsConfig>;
using ConnectionPtr = WsClient::connection_ptr;
using MessagePtr = WsClient::message_ptr;
using websocketpp::connection_hdl;

// Turns a failed opening into TransportStatus::error_code.
std::string classify_failure(bool cancelled, bool timed_out, int http_status, const std::error_code& ec) {
    if (cancelled) return "ECANCELED";
    if (timed_out || ec == websocketpp::error::open_handshake_timeout) return "ETIMEDOUT";
    if (http_status != 0 && http_status != 101) return "HTTP_" + std::to_string(http_status);
    // asio reports socket errors as errno values in its own category.
    if (ec.category() == asio::error::get_system_category() || ec.category() == std::system_category() ||
        ec.category() == std::generic_category())
        return proto::errno_name(ec.value());
    return "EPROTO";
}

}  // namespace

const char* to_string(TransportState state) {
    switch (state) {
        case TransportState::idle:
            return "idle";
        case TransportState::connecting:
            return "connecting";
        case TransportState::open:
            return "open";
        case TransportState::closing:
            return "closing";
        case TransportState::closed:
            return "closed";
    }
    return "unknown";
}

// Owns one websocketpp client endpoint and its one connection.
//
// websocketpp binds raw pointers to the endpoint into its pending asio
// operations, so the Impl keeps itself alive (keep_alive_) from connect until
// websocketpp has reported the end of the connection, even when the
// NativeTransport is destroyed earlier.
class NativeTransport::Impl : public std::enable_shared_from_this<Impl> {
public:
    explicit Impl(asio::io_context& io) : io_(io), open_timer_(io) {
        ws_.clear_access_channels(websocketpp::log::alevel::all);
        ws_.clear_error_channels(websocketpp::log::elevel::all);
        // Browsers turn Nagle off on their WebSockets; do the same so native
        // tools see the latency a page sees.
        // (The socket init handler runs before connect opens the socket.)
        ws_.set_tcp_post_init_handler([this](connection_hdl h) {
            asio::error_code ignored;
            ws_.get_con_from_hdl(h)->get_raw_socket().set_option(asio::ip::tcp::no_delay(true), ignored);
        });
    }

    void do_open(const std::string& url, const TransportOptions& options);
    void do_send(std::string payload, websocketpp::frame::opcode::value op);
    void do_close(uint16_t code, const std::string& reason);
    void detach();
    void set_reading(bool on) {
        if (status.state != TransportState::open) return;
        (void)(on ? con_->resume_reading() : con_->pause_reading());
    }

    TransportHandler* handler = nullptr;
    TransportStatus status;

    size_t buffered_amount() const {
        return con_ && status.state == TransportState::open ? con_->get_buffered_amount() : 0;
    }

private:
    void on_open(connection_hdl);
    void on_fail(connection_hdl);
    void on_close(connection_hdl);
    void on_message(connection_hdl, MessagePtr msg);
    void on_open_timeout(const std::error_code& ec);

    void fail_now(std::string code, std::string message);
    void report_close(uint16_t code, const std::string& reason);
    void release();

    asio::io_context& io_;
    WsClient ws_;
    ConnectionPtr con_;
    asio::steady_timer open_timer_;
    TransportOptions options_;
    bool timed_out_ = false;
    bool cancelled_ = false;        // close() while connecting
    bool started_ = false;          // ws_.connect was called: websocketpp owns the outcome
    std::random_device mask_keys_;  // the generator websocketpp's client uses for the same
    std::shared_ptr<Impl> keep_alive_;
};

void NativeTransport::Impl::do_open(const std::string& url, const TransportOptions& options) {
    if (status.state != TransportState::idle) return;
    status.state = TransportState::connecting;
    options_ = options;

    std::error_code ec;
    ws_.init_asio(&io_, ec);
    if (ec) return fail_now("EIO", "cannot set up the WebSocket client: " + ec.message());

    con_ = ws_.get_connection(url, ec);
    if (ec) return fail_now("EINVAL", "bad WebSocket URL '" + url + "': " + ec.message());
    for (const auto& sp : options_.subprotocols) {
        con_->add_subprotocol(sp, ec);
        if (ec) return fail_now("EINVAL", "bad subprotocol '" + sp + "': " + ec.message());
    }
    try {
        if (!options_.origin.empty()) con_->replace_header("Origin", options_.origin);
        for (const auto& [name, value] : options_.headers) con_->replace_header(name, value);
    } catch (const websocketpp::exception& e) {
        return fail_now("EINVAL", std::string("bad request header: ") + e.what());
    }
    con_->set_max_message_size(options_.max_message_size);
    con_->set_open_handshake_timeout(long(options_.open_timeout.count()));

    // The connection's handlers run before websocketpp lets go of it, and the
    // Impl outlives that (keep_alive_), so they may capture `this`.
    con_->set_open_handler([this](connection_hdl h) { on_open(h); });
    con_->set_fail_handler([this](connection_hdl h) { on_fail(h); });
    con_->set_close_handler([this](connection_hdl h) { on_close(h); });
    con_->set_message_handler([this](connection_hdl h, MessagePtr m) { on_message(h, m); });

    keep_alive_ = shared_from_this();
    started_ = true;
    ws_.connect(con_);

    open_timer_.expires_after(options_.open_timeout);
    open_timer_.async_wait([weak = weak_from_this()](const std::error_code& e) {
        if (auto self = weak.lock()) self->on_open_timeout(e);
    });
}

void NativeTransport::Impl::on_open_timeout(const std::error_code& ec) {
    if (ec || status.state != TransportState::connecting) return;
    timed_out_ = true;
    // Ends in on_fail, which reports ETIMEDOUT.
    con_->terminate(websocketpp::error::make_error_code(websocketpp::error::open_handshake_timeout));
}

void NativeTransport::Impl::on_open(connection_hdl) {
    open_timer_.cancel();
    status.http_status = int(con_->get_response_code());
    status.subprotocol = con_->get_response_header("Sec-WebSocket-Protocol");

    const auto& offered = options_.subprotocols;
    const bool agreed = std::find(offered.begin(), offered.end(), status.subprotocol) != offered.end();
    if (options_.require_subprotocol && !offered.empty() && !agreed) {
        status.error_code = "EPROTO";
        status.error_message =
            "the gateway agreed to no offered subprotocol (it selected '" + status.subprotocol + "')";
        status.state = TransportState::closing;
        std::error_code ec;
        con_->close(websocketpp::close::status::protocol_error, "subprotocol not agreed", ec);
        if (ec) con_->terminate(ec);
        return;  // on_close reports the end; on_open is never reported
    }
    status.state = TransportState::open;
    if (handler) handler->on_open();
}

void NativeTransport::Impl::on_message(connection_hdl, MessagePtr msg) {
    if (!handler) return;
    const std::string& payload = msg->get_payload();
    if (msg->get_opcode() == websocketpp::frame::opcode::text)
        handler->on_text(payload);
    else
        handler->on_binary(payload);
}

void NativeTransport::Impl::on_fail(connection_hdl) {
    open_timer_.cancel();
    status.http_status = int(con_->get_response_code());
    const std::error_code ec = con_->get_ec();
    status.error_code = classify_failure(cancelled_, timed_out_, status.http_status, ec);
    if (status.error_code.rfind("HTTP_", 0) == 0)
        status.error_message =
            "the gateway refused the WebSocket upgrade with HTTP " + std::to_string(status.http_status);
    else if (status.error_code == "ETIMEDOUT")
        status.error_message = "opening the WebSocket timed out";
    else if (status.error_code == "ECANCELED")
        status.error_message = "closed while opening";
    else
        status.error_message = "cannot open the WebSocket: " + ec.message();
    report_close(websocketpp::close::status::abnormal_close, status.error_message);
    release();
}

void NativeTransport::Impl::on_close(connection_hdl) {
    // The peer's code when it sent a close frame, else ours (e.g. 1009 when
    // a message was too big, 1006 when the connection just dropped).
    uint16_t code = con_->get_remote_close_code();
    std::string reason = con_->get_remote_close_reason();
    if (code == websocketpp::close::status::abnormal_close) {
        code = con_->get_local_close_code();
        reason = con_->get_local_close_reason();
    }
    if (code == websocketpp::close::status::abnormal_close && status.error_code.empty()) {
        status.error_code = "ECONNRESET";
        status.error_message = "the connection ended without a closing handshake";
        if (const std::error_code ec = con_->get_ec()) status.error_message += ": " + ec.message();
    }
    report_close(code, reason);
    release();
}

void NativeTransport::Impl::fail_now(std::string code, std::string message) {
    status.error_code = std::move(code);
    status.error_message = std::move(message);
    // Report from the io_context like every other outcome, not from open().
    asio::post(io_, [self = shared_from_this()] {
        self->report_close(websocketpp::close::status::abnormal_close, self->status.error_message);
    });
}

void NativeTransport::Impl::report_close(uint16_t code, const std::string& reason) {
    if (status.state == TransportState::closed) return;
    status.state = TransportState::closed;
    status.close_code = code;
    status.close_reason = reason;
    if (handler) handler->on_close(code, reason);
}

void NativeTransport::Impl::release() {
    // websocketpp may still have completions queued that touch the endpoint
    // (a cancelled connect timer); let them run before the Impl can go.
    asio::post(io_, [self = std::move(keep_alive_)] {});
}

void NativeTransport::Impl::do_send(std::string payload, websocketpp::frame::opcode::value op) {
    if (status.state != TransportState::open) return;
    // A send fails only once the connection is going down; on_close follows.
    if (op != websocketpp::frame::opcode::binary) {
        (void)con_->send(payload, op);  // text: websocketpp also checks it is UTF-8
        return;
    }
    // Binary frames are prepared here: the payload moves into the message
    // and is masked in place. Given the bytes, websocketpp copies them into
    // one message, then zero-fills a second and masks into it: two copies,
    // a memset and an allocation more per frame (docs/PERFORMANCE.md).
    namespace frame = websocketpp::frame;
    frame::masking_key_type key;
    key.i = mask_keys_();  // a fresh random key per frame, as RFC 6455 asks
    const size_t size = payload.size();
    auto msg = con_->get_message(op, 0);
    std::string& body = msg->get_raw_payload();
    body = std::move(payload);
    frame::word_mask_exact(reinterpret_cast<uint8_t*>(body.data()), size, key);
    msg->set_header(
        frame::prepare_header(frame::basic_header(op, size, true, true), frame::extended_header(size, key.i)));
    msg->set_prepared(true);
    (void)con_->send(msg);
}

void NativeTransport::Impl::do_close(uint16_t code, const std::string& reason) {
    switch (status.state) {
        case TransportState::idle:
            status.state = TransportState::connecting;  // so fail_now's report goes through
            return fail_now("ECANCELED", "closed before opening");
        case TransportState::connecting:
            if (!started_) return;  // opening already failed; the report is on its way
            cancelled_ = true;
            con_->terminate(websocketpp::error::make_error_code(websocketpp::error::operation_canceled));
            return;
        case TransportState::open: {
            status.state = TransportState::closing;
            std::error_code ec;
            con_->close(code, reason, ec);
            if (ec) con_->terminate(ec);
            return;
        }
        case TransportState::closing:
        case TransportState::closed:
            return;
    }
}

void NativeTransport::Impl::detach() {
    handler = nullptr;
    open_timer_.cancel();
    if (started_ && status.state != TransportState::closed)
        con_->terminate(websocketpp::error::make_error_code(websocketpp::error::operation_canceled));
}

// ---------------------------------------------------------------- NativeTransport

NativeTransport::NativeTransport(asio::io_context& io) : impl_(std::make_shared<Impl>(io)) {}

NativeTransport::~NativeTransport() { impl_->detach(); }

void NativeTransport::open(const std::string& url, const TransportOptions& options) { impl_->do_open(url, options); }

void NativeTransport::set_handler(TransportHandler* handler) { impl_->handler = handler; }

void NativeTransport::send_text(std::string text) { impl_->do_send(std::move(text), websocketpp::frame::opcode::text); }

void NativeTransport::send_binary(std::string bytes) {
    impl_->do_send(std::move(bytes), websocketpp::frame::opcode::binary);
}

void NativeTransport::close(uint16_t code, std::string reason) { impl_->do_close(code, reason); }

size_t NativeTransport::buffered_amount() const { return impl_->buffered_amount(); }

void NativeTransport::pause_reading() { impl_->set_reading(false); }
void NativeTransport::resume_reading() { impl_->set_reading(true); }

const TransportStatus& NativeTransport::status() const { return impl_->status; }

}  // namespace sockgate::client
