#include "gateway/server.hpp"

#include "gateway/ws_server_config.hpp"  // before websocketpp/server.hpp: it specialises a websocketpp template

#include <websocketpp/server.hpp>

#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "gateway/host_lookup.hpp"
#include "gateway/origin.hpp"
#include "gateway/session.hpp"
#include "gateway/static_files.hpp"
#include "gateway/wire_sink.hpp"
#include "protocol/messages.hpp"

namespace sockgate::gateway {

using WsServer = websocketpp::server<GatewayWsConfig>;
using websocketpp::connection_hdl;

namespace {

// The WebSocket of one connection, handed to its Session.
class WsSink : public WireSink {
public:
    explicit WsSink(WsServer::connection_ptr con) : con_(std::move(con)) {}

    void send_text(const std::string& text) override {
        con_->send(text, websocketpp::frame::opcode::text);  // returns an error once closing; nothing to do then
    }
    // The frame is prepared here, header and all, and goes out as it is.
    // Given raw bytes, websocketpp copies them into one message and then,
    // after zero-filling it, into a second one for the wire: two allocations,
    // a memset and two copies per relayed chunk instead of one of each.
    void send_binary(const uint8_t* data, size_t size) override {
        namespace frame = websocketpp::frame;
        auto msg = con_->get_message(frame::opcode::binary, size);
        msg->set_header(frame::prepare_header(frame::basic_header(frame::opcode::binary, size, true, false),
                                              frame::extended_header(size)));
        msg->append_payload(data, size);
        msg->set_prepared(true);
        con_->send(msg);
    }
    void close(uint16_t code, const std::string& reason) override {
        websocketpp::lib::error_code ec;
        con_->close(code, reason, ec);
    }
    size_t buffered_amount() const override { return con_->get_buffered_amount(); }

private:
    WsServer::connection_ptr con_;
};

std::string target_path(const std::string& resource) { return resource.substr(0, resource.find('?')); }

void add_common_headers(WsServer::connection_ptr con) {
    // Cross-origin isolation lets pages use SharedArrayBuffer (the Python
    // worker waits on the wasm client through it).
    con->replace_header("Cross-Origin-Opener-Policy", "same-origin");
    con->replace_header("Cross-Origin-Embedder-Policy", "require-corp");
    con->replace_header("Cross-Origin-Resource-Policy", "same-origin");
    con->replace_header("X-Content-Type-Options", "nosniff");
    con->replace_header("Cache-Control", "no-cache");
}

void respond(WsServer::connection_ptr con, int status, const std::string& content_type, std::string body) {
    add_common_headers(con);
    con->set_status(websocketpp::http::status_code::value(status));
    con->replace_header("Content-Type", content_type);
    con->set_body(std::move(body));
}

StaticRequest static_request(const WsServer::connection_ptr& con) {
    return StaticRequest{con->get_resource(), con->get_request_header("Accept-Encoding"),
                         con->get_request_header("If-None-Match")};
}

void respond_static(WsServer::connection_ptr con, StaticResponse r) {
    add_common_headers(con);  // Cache-Control: no-cache there makes browsers revalidate with the ETag
    con->set_status(websocketpp::http::status_code::value(r.status));
    if (!r.content_type.empty()) con->replace_header("Content-Type", r.content_type);
    if (!r.content_encoding.empty()) con->replace_header("Content-Encoding", r.content_encoding);
    if (!r.etag.empty()) con->replace_header("ETag", r.etag);
    // Caches must keep the br, gzip and plain answers for this URL apart.
    if (r.vary_accept_encoding) con->replace_header("Vary", "Accept-Encoding");
    con->set_body(std::move(r.body));
}

std::string new_session_id() {
    static std::mt19937_64 rng{std::random_device{}()};
    static const char* hex = "0123456789abcdef";
    uint64_t v = rng();
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4) out[size_t(i)] = hex[v & 0xf];
    return out;
}

}  // namespace

struct Server::Impl {
    Impl(asio::io_context& io_, const Options& options_, const Policy& policy_, Metrics& metrics_)
        : io(io_),
          options(options_),
          policy(policy_),
          metrics(metrics_),
          lookup(io_, metrics_, options_.lookup_threads) {}

    asio::io_context& io;
    const Options& options;
    const Policy& policy;
    Metrics& metrics;
    HostLookup lookup;
    WsServer ws;
    std::map<connection_hdl, std::shared_ptr<Session>, std::owner_less<connection_hdl>> sessions;
    bool stopping = false;
    uint16_t demo_port = 0;
    std::unique_ptr<asio::steady_timer> ping_timer;

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
        // A round trip makes the gateway send two small messages in a row
        // (a WINDOW grant, then the echoed DATA); with Nagle on, the second
        // waits for the client's delayed ACK of the first, up to 40 ms.
        // (The socket init handler runs before accept opens the socket.)
        ws.set_tcp_post_init_handler([this](connection_hdl h) {
            asio::error_code ignored;
            ws.get_con_from_hdl(h)->get_raw_socket().set_option(asio::ip::tcp::no_delay(true), ignored);
        });
        ws.set_http_handler([this](connection_hdl h) { on_http(h); });
        ws.set_validate_handler([this](connection_hdl h) { return on_validate(h); });
        ws.set_open_handler([this](connection_hdl h) { on_open(h); });
        ws.set_close_handler([this](connection_hdl h) { on_close(h); });
        ws.set_message_handler([this](connection_hdl h, WsServer::message_ptr m) { on_message(h, std::move(m)); });
        if (options.ping_interval_ms > 0) {
            ws.set_pong_timeout(options.ping_interval_ms);
            ws.set_pong_timeout_handler([this](connection_hdl h, std::string) { on_pong_timeout(h); });
            ping_timer = std::make_unique<asio::steady_timer>(io);
        }
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
        const std::string method = con->get_request().get_method();
        const std::string path = target_path(con->get_resource());
        if (method != "GET" && method != "HEAD") {
            con->replace_header("Allow", "GET, HEAD");
            respond(con, 405, "text/plain; charset=utf-8", "method not allowed\n");
            return;
        }
        if (path == "/healthz") {
            nlohmann::json j{{"status", "ok"},
                             {"version", SOCKGATE_VERSION},
                             {"sessions", metrics.sessions},
                             {"sockets", metrics.sockets()}};
            respond(con, 200, "application/json", j.dump() + "\n");
        } else if (path == "/api/info") {
            respond(con, 200, "application/json", info().dump() + "\n");
        } else if (path == "/metrics") {
            respond(con, 200, "text/plain; version=0.0.4; charset=utf-8", render_prometheus(metrics));
        } else if (path == "/ws") {
            con->replace_header("Upgrade", "websocket");
            respond(con, 426, "text/plain; charset=utf-8",
                    std::string("/ws is a WebSocket endpoint: connect with subprotocol ") + proto::kSubprotocol + "\n");
        } else {
            respond_static(con, serve_static(options.web_root, static_request(con)));
        }
        if (method == "HEAD") con->set_body("");
    }

    // What the page shows a newcomer: what this gateway allows, in rules and
    // in plain words, its limits, and where the demo services are.
    nlohmann::json info() const {
        nlohmann::json allow = nlohmann::json::array(), bind = nlohmann::json::array();
        for (const auto& r : policy.allow_rules()) allow.push_back(r.text);
        for (const auto& r : policy.bind_rules()) bind.push_back(r.text);
        nlohmann::json summary = nlohmann::json::array();
        std::string line;
        std::istringstream lines(policy.describe());
        while (std::getline(lines, line))
            if (!line.empty()) summary.push_back(line);
        nlohmann::json demo = nullptr;
        if (demo_port != 0) demo = {{"host", options.demo_host}, {"port", demo_port}};
        return {{"version", SOCKGATE_VERSION},
                {"server", std::string("sockgate/") + SOCKGATE_VERSION},
                {"protocol", proto::kSubprotocol},
                {"token_required", !options.token.empty()},
                {"demo", demo},
                {"policy", {{"allow", allow}, {"bind_allow", bind}, {"summary", summary}}},
                {"limits",
                 {{"sessions", options.max_sessions},
                  {"sockets", options.max_sockets},
                  {"listeners", options.max_listeners},
                  {"max_frame", options.max_frame},
                  {"window", options.window},
                  {"max_window", options.max_window},
                  {"connect_timeout_ms", options.connect_timeout_ms},
                  {"udp_queue", options.udp_queue}}}};
    }

    bool refuse(WsServer::connection_ptr con, int status, const std::string& why) {
        ++metrics.handshakes_refused;
        respond(con, status, "text/plain; charset=utf-8", why + "\n");
        log("refused WebSocket from " + con->get_remote_endpoint() + ": " + why);
        return false;
    }

    bool on_validate(connection_hdl h) {
        auto con = ws.get_con_from_hdl(h);
        if (target_path(con->get_resource()) != "/ws") return refuse(con, 404, "no WebSocket endpoint here; use /ws");
        const std::string origin = con->get_request_header("Origin");
        if (!origin_allowed(origin, con->get_request_header("Host"), options.origins))
            return refuse(con, 403, "origin " + origin + " is not allowed (gateway flag --origin)");
        const auto& offered = con->get_requested_subprotocols();
        if (std::find(offered.begin(), offered.end(), proto::kSubprotocol) == offered.end())
            return refuse(con, 400, std::string("the client must offer WebSocket subprotocol ") + proto::kSubprotocol);
        if (stopping) return refuse(con, 503, "the gateway is shutting down");
        if (sessions.size() >= options.max_sessions)
            return refuse(con, 503, "session limit reached (" + std::to_string(options.max_sessions) +
                                        ", gateway flag --max-sessions)");
        con->select_subprotocol(proto::kSubprotocol);
        return true;
    }

    void on_open(connection_hdl h) {
        auto con = ws.get_con_from_hdl(h);
        auto session = std::make_shared<Session>(io, options, policy, metrics, lookup,
                                                 std::make_unique<WsSink>(con), new_session_id());
        sessions.emplace(h, session);
        ++metrics.sessions;
        ++metrics.sessions_total;
        log("session " + session->id() + " opened from " + con->get_remote_endpoint());
    }

    void on_close(connection_hdl h) {
        auto it = sessions.find(h);
        if (it == sessions.end()) return;
        auto session = it->second;
        sessions.erase(it);
        --metrics.sessions;
        const size_t sockets = session->socket_count();
        session->terminate();
        auto con = ws.get_con_from_hdl(h);
        log("session " + session->id() + " closed (code " + std::to_string(con->get_remote_close_code()) + ", " +
            std::to_string(sockets) + " sockets closed)");
    }

    void on_message(connection_hdl h, WsServer::message_ptr msg) {
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
            ws.close(h, websocketpp::close::status::internal_endpoint_error, "internal error", ec);
        }
    }
};

Server::Server(asio::io_context& io, const Options& options, const Policy& policy, Metrics& metrics)
    : impl_(std::make_unique<Impl>(io, options, policy, metrics)) {
    impl_->setup();
}

Server::~Server() {
    for (auto& [h, s] : impl_->sessions) s->terminate();
}

void Server::start() {
    asio::error_code ec;
    const auto addr = asio::ip::make_address(impl_->options.listen_host == "localhost" ? "127.0.0.1"
                                                                                       : impl_->options.listen_host,
                                             ec);
    if (ec) throw std::system_error(ec, "listen address " + impl_->options.listen_host);
    impl_->ws.listen(asio::ip::tcp::endpoint(addr, impl_->options.listen_port), ec);
    if (ec) throw std::system_error(ec, "listen on " + impl_->options.listen_host + ":" +
                                            std::to_string(impl_->options.listen_port));
    impl_->ws.start_accept(ec);
    if (ec) throw std::system_error(ec, "accept");
    impl_->do_ping_round();
}

void Server::set_demo_port(uint16_t port) { impl_->demo_port = port; }

asio::ip::tcp::endpoint Server::local_endpoint() const {
    asio::error_code ec;
    return impl_->ws.get_local_endpoint(ec);
}

size_t Server::stop() {
    impl_->stopping = true;
    if (impl_->ping_timer) impl_->ping_timer->cancel();
    websocketpp::lib::error_code ec;
    impl_->ws.stop_listening(ec);
    for (auto& [h, s] : impl_->sessions) {
        s->terminate();
        impl_->ws.close(h, websocketpp::close::status::going_away, "gateway shutting down", ec);
    }
    return impl_->sessions.size();
}

}  // namespace sockgate::gateway
