// The gateway's plain HTTP side: the response helpers both it and the
// handshake refusals use, and the routes (/healthz, /api/info, /metrics,
// /ws without an upgrade, static files). A template over websocketpp's
// connection pointer, so include it only where websocketpp is
// (server_impl.hpp); the JSON it serves is built in gateway_info.*.
#pragma once

#include <asio.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <type_traits>

#include "gateway/file_cache.hpp"
#include "gateway/gateway_info.hpp"
#include "gateway/http_file_writer.hpp"
#include "gateway/memory_release.hpp"
#include "gateway/metrics.hpp"
#include "gateway/options.hpp"
#include "gateway/policy.hpp"
#include "gateway/static_files.hpp"
#include "protocol/messages.hpp"
#include "support/websocketpp/internals.hpp"

namespace sockgate::gateway::server_detail {

inline std::string target_path(const std::string& resource) { return resource.substr(0, resource.find('?')); }

template <typename ConPtr>
void add_common_headers(const ConPtr& con) {
    // Cross-origin isolation lets pages use SharedArrayBuffer (the Python
    // worker waits on the wasm client through it).
    con->replace_header("Cross-Origin-Opener-Policy", "same-origin");
    con->replace_header("Cross-Origin-Embedder-Policy", "require-corp");
    con->replace_header("Cross-Origin-Resource-Policy", "same-origin");
    con->replace_header("X-Content-Type-Options", "nosniff");
    con->replace_header("Cache-Control", "no-cache");
    // Every HTTP response ends its connection; a client that keeps
    // connections (Node's default agent) would otherwise send its next
    // request down the closed one.
    con->replace_header("Connection", "close");
}

template <typename ConPtr>
bool is_head(const ConPtr& con) {
    return con->get_request().get_method() == "HEAD";
}

// A body websocketpp sends. HEAD gets the headers GET would, Content-Length
// included, and no body (websocketpp drops Content-Length for an empty one).
template <typename ConPtr>
void set_body(const ConPtr& con, std::string_view body) {
    const bool head = is_head(con);
    con->set_body(head ? std::string() : std::string(body));
    con->replace_header("Content-Length", std::to_string(body.size()));
}

template <typename ConPtr>
void respond(const ConPtr& con, int status, const std::string& content_type, const std::string& body) {
    add_common_headers(con);
    con->set_status(websocketpp::http::status_code::value(status));
    con->replace_header("Content-Type", content_type);
    set_body(con, body);
}

template <typename ConPtr>
StaticRequest static_request(const ConPtr& con) {
    return StaticRequest{con->get_resource(), con->get_request_header("Accept-Encoding"),
                         con->get_request_header("If-None-Match")};
}

// The status line and headers websocketpp would write for the response set
// on `con`, for writing them ourselves.
template <typename ConPtr>
std::string response_head(const ConPtr& con) {
    const auto& response = con->get_response();
    std::string head =
        "HTTP/1.1 " + std::to_string(int(response.get_status_code())) + " " + response.get_status_msg() + "\r\n";
    for (const auto& [name, value] : response.get_headers()) head += name + ": " + value + "\r\n";
    return head + "\r\n";
}

template <typename ConnectionPtr>
class HttpRoutes {
public:
    HttpRoutes(asio::io_context& io, const Options& options, const Policy& policy, Metrics& metrics)
        : options_(options), policy_(policy), metrics_(metrics), file_responses_(io, metrics.http_file_responses, 16) {}

    void set_demo_port(uint16_t port) { demo_port_ = port; }

    // Answers one request that is not a WebSocket upgrade.
    void serve(const ConnectionPtr& con) {
        const std::string method = con->get_request().get_method();
        const std::string path = target_path(con->get_resource());
        if (method != "GET" && method != "HEAD") {
            con->replace_header("Allow", "GET, HEAD");
            respond(con, 405, "text/plain; charset=utf-8", "method not allowed\n");
        } else if (path == "/healthz") {
            respond(con, 200, "application/json", health(metrics_).dump() + "\n");
        } else if (path == "/api/info") {
            respond(con, 200, "application/json", api_info(options_, policy_, demo_port_).dump() + "\n");
        } else if (path == "/metrics") {
            respond(con, 200, "text/plain; version=0.0.4; charset=utf-8", render_prometheus(metrics_));
        } else if (path == "/ws") {
            con->replace_header("Upgrade", "websocket");
            respond(con, 426, "text/plain; charset=utf-8",
                    std::string("/ws is a WebSocket endpoint: connect with subprotocol ") + proto::kSubprotocol + "\n");
        } else {
            respond_static(con, serve_static(file_cache_, options_.web_root, static_request(con)));
        }
    }

private:
    void respond_static(const ConnectionPtr& con, StaticResponse r) {
        add_common_headers(con);  // Cache-Control: no-cache there makes browsers revalidate with the ETag
        con->set_status(websocketpp::http::status_code::value(r.status));
        if (!r.content_type.empty()) con->replace_header("Content-Type", r.content_type);
        if (!r.content_encoding.empty()) con->replace_header("Content-Encoding", r.content_encoding);
        if (!r.etag.empty()) con->replace_header("ETag", r.etag);
        // Caches must keep the br, gzip and plain answers for this URL apart.
        if (r.vary_accept_encoding) con->replace_header("Vary", "Accept-Encoding");
        if (r.status == 304) return;  // no body, and no Content-Length that would describe one
        if (r.status == 200 && !is_head(con)) return send_file(con, std::move(r));
        set_body(con, r.body);
    }

    // websocketpp would copy the body into the response and again into the
    // bytes it writes, for every client; the file's shared bytes go out as
    // they are instead.
    void send_file(const ConnectionPtr& con, StaticResponse r) {
        con->replace_header("Content-Length", std::to_string(r.body.size()));
        con->replace_header("Server", std::string("sockgate/") + SOCKGATE_VERSION);
        std::string head = response_head(con);
        sockgate::ws::defer_response(con);
        ++metrics_.http_file_responses_total;
        file_responses_.started();
        // The TCP socket for plain HTTP, the TLS stream over it under TLS.
        using Stream = std::remove_reference_t<decltype(con->get_socket())>;
        HttpFileWriter<Stream>::start(con->get_socket(), std::move(head), std::move(r.storage),
                                      std::chrono::milliseconds(options_.http_send_timeout_ms),
                                      [this, con](const asio::error_code& ec) { on_file_sent(con, ec); });
    }

    void on_file_sent(const ConnectionPtr& con, const asio::error_code& ec) {
        if (ec == asio::error::timed_out) ++metrics_.http_send_timeouts;
        file_responses_.finished();
        sockgate::ws::end_deferred_response(con, ec);
    }

    const Options& options_;
    const Policy& policy_;
    Metrics& metrics_;
    FileCache file_cache_;
    // A page load uses a handful of connections and never counts as a burst.
    ReleaseAfterBurst file_responses_;
    uint16_t demo_port_ = 0;
};

}  // namespace sockgate::gateway::server_detail
