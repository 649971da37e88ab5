// The gateway's websocketpp side as a template over its configuration:
// GatewayWsConfig for plain TCP, GatewayTlsWsConfig under --tls-cert. Only
// server_plain.cpp and server_tls.cpp include this, each instantiating one,
// so websocketpp stays out of every other file and the two compile in
// parallel.
#pragma once

#include "gateway/ws_server_config.hpp"  // before websocketpp/server.hpp: it specialises a websocketpp template

#include <websocketpp/server.hpp>

// After server.hpp, before any use of the endpoints: see the header.
SOCKGATE_WEBSOCKETPP_ONE_READ_AT_A_TIME(sockgate::gateway::GatewayWsConfig)
SOCKGATE_WEBSOCKETPP_ONE_READ_AT_A_TIME(sockgate::gateway::GatewayTlsWsConfig)

#include <deque>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string_view>
#include <type_traits>

#include "gateway/front_door.hpp"
#include "gateway/host_lookup.hpp"
#include "gateway/http_routes.hpp"
#include "gateway/memory_release.hpp"
#include "gateway/origin.hpp"
#include "gateway/server_backend.hpp"
#include "gateway/session.hpp"
#include "gateway/tls_context.hpp"
#include "gateway/wire_sink.hpp"
#include "protocol/close_codes.hpp"
#include "protocol/messages.hpp"

namespace sockgate::gateway {

namespace server_detail {

using websocketpp::connection_hdl;

// The WebSocket of one connection, handed to its Session.
template <typename Config>
class WsSink : public WireSink {
public:
    using ConnectionPtr = typename websocketpp::server<Config>::connection_ptr;
    explicit WsSink(ConnectionPtr con) : con_(std::move(con)) {}

    void send_text(const std::string& text) override {
        con_->send(text, websocketpp::frame::opcode::text);  // returns an error once closing; nothing to do then
        queued_total_ += text.size();
    }
    // Prepared here, header and all, so websocketpp sends it without the
    // copies it would make of raw bytes (support/websocketpp/internals.hpp).
    void send_binary(const uint8_t* data, size_t size) override {
        sockgate::ws::send_prepared_binary(con_, data, size);
        queued_total_ += size;
    }
    void close(uint16_t code, const std::string& reason) override {
        websocketpp::lib::error_code ec;
        con_->close(code, reason, ec);
    }
    size_t buffered_amount() const override { return con_->get_buffered_amount(); }
    uint64_t queued_total() const override { return queued_total_; }

private:
    ConnectionPtr con_;
    uint64_t queued_total_ = 0;
};

inline std::string new_session_id() {
    static std::mt19937_64 rng{std::random_device{}()};
    static const char* hex = "0123456789abcdef";
    uint64_t v = rng();
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4) out[size_t(i)] = hex[v & 0xf];
    return out;
}

// How long a session closed for not reading gets to take its close frame
// before its connection is dropped.
constexpr auto kStalledCloseGrace = std::chrono::seconds(1);

// What one session may have handled between two turns of the event loop:
// this many messages or this many bytes of them, whichever comes first. One
// read can hold a thousand small requests, and handling them all at once
// would hold up every other session's traffic for as long; past the budget,
// the rest wait in the session's inbox for a later turn. The byte budget
// gives a session of small requests about what one read of large frames
// gets.
constexpr unsigned kMessagesPerTurn = 256;
constexpr size_t kBytesPerTurn = 64 * 1024;
// Bytes waiting in one inbox past which the session's WebSocket is no
// longer read until its inbox is empty again.
constexpr size_t kInboxPauseBytes = 128 * 1024;

template <typename Config>
struct ServerImpl final : ServerBackend {
    using WsServer = websocketpp::server<Config>;
    using ConnectionPtr = typename WsServer::connection_ptr;
    using MessagePtr = typename WsServer::message_ptr;
    static constexpr bool kTls = std::is_same_v<Config, GatewayTlsWsConfig>;

    // `certificate` is empty for the plain configuration.
    ServerImpl(asio::io_context& io_, const Options& options_, const Policy& policy_, Metrics& metrics_,
               TlsCertificate certificate)
        : io(io_),
          options(options_),
          policy(policy_),
          metrics(metrics_),
          lookup(io_, metrics_, options_.lookup_threads),
          door(io_, options_, metrics_,
               [this](asio::ip::tcp::socket s, std::shared_ptr<ConnectionSlot> slot) {
                   adopt(std::move(s), std::move(slot));
               }),
          outbound_timer(io_),
          tls(std::move(certificate)) {
        setup();
    }

    asio::io_context& io;
    const Options& options;
    const Policy& policy;
    Metrics& metrics;
    HostLookup lookup;
    WsServer ws;
    std::map<connection_hdl, std::shared_ptr<Session>, std::owner_less<connection_hdl>> sessions;
    // Each session's messages not yet handled, and its share of the turn
    // (see kMessagesPerTurn).
    struct Inbox {
        std::deque<MessagePtr> queue;
        size_t bytes = 0;
        unsigned budget = kMessagesPerTurn;
        size_t byte_budget = kBytesPerTurn;
        bool turn_posted = false;
        bool full = false;            // over kInboxPauseBytes: not read until empty
        bool reading_paused = false;  // as websocketpp was last told
    };
    std::map<connection_hdl, Inbox, std::owner_less<connection_hdl>> inboxes;
    bool stopping = false;
    std::unique_ptr<asio::steady_timer> ping_timer;
    FrontDoor door;

    // Sessions whose WebSocket is not read because their browser is not
    // reading what the gateway sends (see check_outbound).
    struct Paused {
        uint64_t drained = 0;                         // bytes the browser had taken when last seen
        std::chrono::steady_clock::time_point since;  // when it last took any
        bool closing = false;
        std::chrono::steady_clock::time_point closing_since{};
    };
    using PausedMap = std::map<connection_hdl, Paused, std::owner_less<connection_hdl>>;
    PausedMap paused;
    asio::steady_timer outbound_timer;
    bool outbound_timer_running = false;
    HttpRoutes<ConnectionPtr> http{io, options, policy, metrics};
    IdleRelease idle_release{io, [this] { return metrics.sessions > 0 || metrics.http_file_responses > 0; }};
    // The certificate new TLS connections get. A reload replaces it; each
    // connection holds the context it started with for as long as it lives.
    TlsCertificate tls;

    void log(const std::string& line) const {
        if (!options.quiet) std::cerr << "sockgate: " << line << std::endl;
    }

    void setup() {
        ws.init_asio(&io);
        ws.set_reuse_addr(true);
        ws.set_user_agent(std::string("sockgate/") + SOCKGATE_VERSION);
        ws.clear_access_channels(websocketpp::log::alevel::all);
        ws.clear_error_channels(websocketpp::log::elevel::all);
        ws.set_max_message_size(options.max_frame);
        ws.set_http_handler([this](connection_hdl h) { on_http(h); });
        ws.set_validate_handler([this](connection_hdl h) { return on_validate(h); });
        ws.set_open_handler([this](connection_hdl h) { on_open(h); });
        ws.set_close_handler([this](connection_hdl h) { on_close(h); });
        ws.set_message_handler([this](connection_hdl h, MessagePtr m) { on_message(h, std::move(m)); });
        if constexpr (kTls) {
            // Called as each connection object is made (in adopt), before
            // its TLS stream exists; the stream keeps the context alive.
            ws.set_tls_init_handler([this](connection_hdl) { return tls.context; });
        }
        if (options.ping_interval_ms > 0) {
            ws.set_pong_timeout(options.ping_interval_ms);
            ws.set_pong_timeout_handler([this](connection_hdl h, std::string) { on_pong_timeout(h); });
            ping_timer = std::make_unique<asio::steady_timer>(io);
        }
    }

    // A connection the front door admitted becomes websocketpp's from here.
    // This stands in for websocketpp's own accept step (endpoint::start_accept
    // and handle_accept): make a connection, give it the socket, start it.
    void adopt(asio::ip::tcp::socket socket, std::shared_ptr<ConnectionSlot> slot) {
        auto con = ws.get_connection();
        if (!con) return;  // the socket closes as it goes out of scope
        slot->set_key(con.get());
        // The slot lives as long as the connection object: the interrupt
        // handler, which the gateway does not otherwise use, holds it.
        con->set_interrupt_handler([slot](connection_hdl) {});
        // Under TLS the socket goes beneath the TLS stream; start() then
        // runs the TLS handshake, bounded by the configuration's
        // timeout_socket_post_init (5 s), before it reads the request.
        if constexpr (kTls)
            con->get_next_layer() = std::move(socket);
        else
            con->get_raw_socket() = std::move(socket);
        con->start();
    }

    ConnectionSlot* slot_of(const ConnectionPtr& con) const { return door.find(con.get()); }

    // Who a connection is from, for logs.
    std::string client_of(const ConnectionPtr& con) const {
        if (auto* slot = slot_of(con)) return slot->description();
        return con->get_remote_endpoint();
    }

    // Behind a trusted proxy, the client its headers name, held to the
    // per-address cap; "" to go on, else why the request gets a 503.
    std::string identify(const ConnectionPtr& con) {
        auto* slot = slot_of(con);
        if (!slot) return "";
        const Identification id =
            door.identify(*slot, con->get_request_header("X-Forwarded-For"), con->get_request_header("X-Real-IP"));
        if (!id.problem.empty())
            log("proxy " + slot->peer() + " sent a client address the gateway cannot use (" + id.problem +
                "); counting the connection as " + slot->description());
        return id.refusal;
    }

    // A browser that sends requests but never reads the replies would make
    // the gateway queue them without end. Past --max-outbound queued bytes
    // its requests are left unread (which also leaves its pongs unread, so
    // the ping keepalive ends a session that never drains); one that does
    // not drain for --outbound-stall-ms is closed.
    void check_outbound(connection_hdl h, const ConnectionPtr& con) {
        const size_t queued = con->get_buffered_amount();
        if (queued <= options.max_outbound || paused.count(h)) return;
        paused.emplace(h, Paused{drained(h, queued), std::chrono::steady_clock::now(), false, {}});
        set_reading(h, con);
        ++metrics.sessions_paused;
        if (!outbound_timer_running) do_outbound_check();
    }

    void do_outbound_check() {
        outbound_timer_running = true;
        outbound_timer.expires_after(std::chrono::milliseconds(50));
        outbound_timer.async_wait([this](const asio::error_code& ec) { on_outbound_check(ec); });
    }

    void on_outbound_check(const asio::error_code& ec) {
        outbound_timer_running = false;
        if (ec) return;
        const auto now = std::chrono::steady_clock::now();
        // Dropped after the loop: terminating can run on_close at once,
        // which takes the session out of `paused`.
        std::vector<ConnectionPtr> to_drop;
        for (auto it = paused.begin(); it != paused.end();) {
            websocketpp::lib::error_code con_ec;
            auto con = ws.get_con_from_hdl(it->first, con_ec);
            if (con_ec || !sessions.count(it->first)) {
                it = erase_paused(it);
                continue;
            }
            Paused& p = it->second;
            const size_t queued = con->get_buffered_amount();
            if (queued <= options.max_outbound / 2) {
                const connection_hdl h = it->first;
                it = erase_paused(it);
                set_reading(h, con);
                continue;
            }
            // Progress is what the browser takes, not a shorter queue: the
            // session's sockets may go on adding to it as fast as it reads.
            if (const uint64_t d = drained(it->first, queued); d > p.drained) {
                p.drained = d;
                p.since = now;
            } else if (p.closing && now - p.closing_since >= kStalledCloseGrace) {
                // The close frame is stuck behind the queue, and websocketpp
                // times a close handshake only once its frame is written.
                to_drop.push_back(con);
            } else if (!p.closing && now - p.since >= std::chrono::milliseconds(options.outbound_stall_ms)) {
                p.closing = true;
                p.closing_since = now;
                ++metrics.sessions_closed_stalled;
                log("session " + sessions[it->first]->id() + " has " + std::to_string(queued) +
                    " bytes queued and is not reading them; closing it");
                // A client that catches up now still learns why it is closed.
                con->close(proto::close_code::policy_violation, "not reading (queue over --max-outbound)", con_ec);
            }
            ++it;
        }
        for (auto& con : to_drop) {
            websocketpp::lib::error_code terminate_ec;
            con->terminate(terminate_ec);
        }
        if (!paused.empty()) do_outbound_check();
    }

    // Bytes of this session's messages that have left the queue.
    uint64_t drained(connection_hdl h, size_t queued) const {
        auto it = sessions.find(h);
        if (it == sessions.end()) return 0;
        const uint64_t total = it->second->queued_total();
        return total > queued ? total - queued : 0;
    }

    typename PausedMap::iterator erase_paused(typename PausedMap::iterator it) {
        --metrics.sessions_paused;
        return paused.erase(it);
    }

    // A session's WebSocket is read unless its replies are not being taken
    // (paused) or its inbox is full; websocketpp is told only of changes.
    void set_reading(connection_hdl h, const ConnectionPtr& con) {
        auto in = inboxes.find(h);
        if (in == inboxes.end()) return;
        const bool pause = paused.count(h) > 0 || in->second.full;
        if (pause == in->second.reading_paused) return;
        in->second.reading_paused = pause;
        if (pause)
            con->pause_reading();
        else
            con->resume_reading();
    }

    void do_ping_round() {
        if (options.ping_interval_ms == 0 || stopping) return;
        ping_timer->expires_after(std::chrono::milliseconds(options.ping_interval_ms));
        ping_timer->async_wait([this](const asio::error_code& ec) { on_ping_round(ec); });
    }

    void on_ping_round(const asio::error_code& ec) {
        if (ec) return;
        for (auto& [h, session] : sessions) {
            websocketpp::lib::error_code ping_ec;
            ws.ping(h, "", ping_ec);
        }
        do_ping_round();
    }

    void on_pong_timeout(connection_hdl h) {
        auto it = sessions.find(h);
        if (it == sessions.end()) return;
        log("session " + it->second->id() + " did not answer a ping; dropping it");
        // Its TCP connection may be dead, so no closing handshake can finish.
        websocketpp::lib::error_code ec;
        ws.get_con_from_hdl(h)->terminate(ec);
    }

    void on_http(connection_hdl h) {
        auto con = ws.get_con_from_hdl(h);
        if (const std::string why = identify(con); !why.empty()) {
            con->replace_header("Retry-After", "5");
            respond(con, 503, "text/plain; charset=utf-8", why + "\n");
            log("refused HTTP request from " + client_of(con) + ": " + why);
            return;
        }
        http.serve(con);
    }

    bool refuse(ConnectionPtr con, int status, const std::string& why) {
        ++metrics.handshakes_refused;
        respond(con, status, "text/plain; charset=utf-8", why + "\n");
        log("refused WebSocket from " + client_of(con) + ": " + why);
        return false;
    }

    bool on_validate(connection_hdl h) {
        auto con = ws.get_con_from_hdl(h);
        if (const std::string why = identify(con); !why.empty()) return refuse(con, 503, why);
        if (target_path(con->get_resource()) != "/ws") return refuse(con, 404, "no WebSocket endpoint here; use /ws");
        const std::string origin = con->get_request_header("Origin");
        if (!origin_allowed(origin, con->get_request_header("Host"), options.origins))
            return refuse(con, 403, "origin " + origin + " is not allowed (gateway flag --origin)");
        const auto& offered = con->get_requested_subprotocols();
        if (std::find(offered.begin(), offered.end(), proto::kSubprotocol) == offered.end())
            return refuse(con, 400, std::string("the client must offer WebSocket subprotocol ") + proto::kSubprotocol);
        if (stopping) return refuse(con, 503, "the gateway is shutting down");
        // Handshakes already accepted will be sessions too: a burst of
        // upgrades must not get past the limit before any of them opens.
        if (sessions.size() + door.handshakes() >= options.max_sessions)
            return refuse(
                con, 503,
                "session limit reached (" + std::to_string(options.max_sessions) + ", gateway flag --max-sessions)");
        con->select_subprotocol(proto::kSubprotocol);
        if (auto* slot = slot_of(con)) slot->set_stage(ConnectionSlot::Stage::handshake);
        return true;
    }

    void on_open(connection_hdl h) {
        auto con = ws.get_con_from_hdl(h);
        auto session = std::make_shared<Session>(io, options, policy, metrics, lookup,
                                                 std::make_unique<WsSink<Config>>(con), new_session_id());
        if (auto* slot = slot_of(con)) slot->set_stage(ConnectionSlot::Stage::session);
        sessions.emplace(h, session);
        inboxes.emplace(h, Inbox{});
        ++metrics.sessions;
        ++metrics.sessions_total;
        session->start();
        log("session " + session->id() + " opened from " + client_of(con));
    }

    void on_close(connection_hdl h) {
        auto it = sessions.find(h);
        if (it == sessions.end()) return;
        auto session = it->second;
        sessions.erase(it);
        inboxes.erase(h);  // what it held is for a session that is gone
        if (auto p = paused.find(h); p != paused.end()) erase_paused(p);
        --metrics.sessions;
        const size_t sockets = session->socket_count();
        session->terminate();
        auto con = ws.get_con_from_hdl(h);
        log("session " + session->id() + " closed (code " + std::to_string(con->get_remote_close_code()) + ", " +
            std::to_string(sockets) + " sockets closed)");
    }

    void on_message(connection_hdl h, MessagePtr msg) {
        auto in = inboxes.find(h);
        if (in == inboxes.end()) return;
        Inbox& inbox = in->second;
        // Messages are handled in order: while some wait, so does this one.
        if (inbox.queue.empty() && inbox.budget > 0 && inbox.byte_budget > 0) {
            if (spend(inbox, msg->get_payload().size())) post_turn(h, inbox);
            return handle(h, std::move(msg));
        }
        inbox.bytes += msg->get_payload().size();
        inbox.queue.push_back(std::move(msg));
        post_turn(h, inbox);
        if (!inbox.full && inbox.bytes >= kInboxPauseBytes) {
            inbox.full = true;
            ++metrics.inbox_pauses;
            websocketpp::lib::error_code ec;
            if (auto con = ws.get_con_from_hdl(h, ec); !ec) set_reading(h, con);
        }
    }

    // A later turn of the event loop, after whatever else is ready, renews
    // the session's budget and handles what waits in its inbox.
    void post_turn(connection_hdl h, Inbox& inbox) {
        if (inbox.turn_posted) return;
        inbox.turn_posted = true;
        asio::post(io, [this, h] { on_turn(h); });
    }

    // Takes one message of `size` bytes from the budget; true once it is spent.
    static bool spend(Inbox& inbox, size_t size) {
        --inbox.budget;
        inbox.byte_budget -= std::min(size, inbox.byte_budget);
        return inbox.budget == 0 || inbox.byte_budget == 0;
    }

    void on_turn(connection_hdl h) {
        auto in = inboxes.find(h);
        if (in == inboxes.end()) return;  // the session closed meanwhile
        in->second.turn_posted = false;
        in->second.budget = kMessagesPerTurn;
        in->second.byte_budget = kBytesPerTurn;
        bool spent = false;
        while (!spent && !in->second.queue.empty()) {
            MessagePtr msg = std::move(in->second.queue.front());
            in->second.queue.pop_front();
            const size_t size = msg->get_payload().size();
            in->second.bytes -= size;
            spent = spend(in->second, size);
            handle(h, std::move(msg));
            in = inboxes.find(h);  // handling may close the session
            if (in == inboxes.end()) return;
        }
        Inbox& inbox = in->second;
        if (!inbox.queue.empty() || spent) post_turn(h, inbox);
        if (inbox.full && inbox.queue.empty()) {
            inbox.full = false;
            websocketpp::lib::error_code ec;
            if (auto con = ws.get_con_from_hdl(h, ec); !ec) set_reading(h, con);
        }
    }

    void handle(connection_hdl h, MessagePtr msg) {
        auto it = sessions.find(h);
        if (it == sessions.end()) return;
        auto session = it->second;  // the handler may close the session
        try {
            if (msg->get_opcode() == websocketpp::frame::opcode::text) {
                session->on_text(msg->get_payload());
            } else {
                session->on_binary(std::move(msg->get_raw_payload()));
            }
        } catch (const std::exception& e) {
            // A bug or resource exhaustion in one session must not take the
            // gateway and every other session down with it.
            log("session " + session->id() + " failed: " + e.what());
            websocketpp::lib::error_code ec;
            ws.close(h, proto::close_code::internal_error, "internal error", ec);
        }
        websocketpp::lib::error_code ec;
        if (auto con = ws.get_con_from_hdl(h, ec); !ec) check_outbound(h, con);
    }

    // ---- ServerBackend ----

    void listen(const asio::ip::tcp::endpoint& endpoint) override { door.listen(endpoint); }

    void start() override {
        door.start();
        do_ping_round();
        idle_release.start();
    }

    asio::ip::tcp::endpoint local_endpoint() const override { return door.local_endpoint(); }

    void set_demo_port(uint16_t port) override { http.set_demo_port(port); }

    size_t stop() override {
        stopping = true;
        if (ping_timer) ping_timer->cancel();
        outbound_timer.cancel();
        idle_release.stop();
        door.stop();
        websocketpp::lib::error_code ec;
        for (auto& [h, s] : sessions) {
            s->terminate();
            ws.close(h, proto::close_code::going_away, "gateway shutting down", ec);
        }
        return sessions.size();
    }

    void terminate_sessions() override {
        for (auto& [h, s] : sessions) s->terminate();
    }

    std::string reload_tls() override {
        if constexpr (!kTls) return "";
        try {
            tls = load_tls_certificate(options.tls_cert, options.tls_key);
        } catch (const TlsError& e) {
            return std::string("TLS reload failed, keeping the running certificate (") + tls.description +
                   "): " + e.what();
        }
        return "reloaded the TLS certificate from " + options.tls_cert + " (" + tls.description +
               "); open connections keep the one they started with";
    }
};

}  // namespace server_detail

}  // namespace sockgate::gateway
