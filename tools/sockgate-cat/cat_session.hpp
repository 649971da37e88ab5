// One run of sockgate-cat: a gateway session relaying stdin/stdout to one
// TCP connection (tcp, listen) or UDP socket (udp).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "tools/sockgate-cat/cat_options.hpp"
#include "tools/sockgate-cat/stdin_pump.hpp"
#include "wasm/core/client.hpp"
#include "wasm/native/native_transport.hpp"

namespace sockgate::client::cat {

class CatSession {
public:
    CatSession(asio::io_context& io, CatOptions options);
    // Opens the WebSocket; run the io_context until it stops, then read
    // exit_code().
    void start();
    int exit_code() const { return exit_code_; }

private:
    // Setup, one step after another.
    void on_open();
    void on_hello(Result<proto::HelloReply> r);
    void do_connect();
    void on_connect(Result<proto::SocketReply> r);
    void do_listen();
    void on_listen(Result<proto::SocketReply> r);
    void on_accept(const proto::AcceptEvent& ev);
    void do_resolve_udp();
    void on_resolve_udp(Result<proto::ResolveReply> r);
    void do_bind();
    void on_bind(Result<proto::SocketReply> r);

    // Relaying.
    void start_relay(uint32_t sock);
    void on_stdin(std::string chunk);
    void on_stdin_eof();
    void on_shutdown(Status s);
    void on_data(uint32_t sock, std::string_view bytes);
    void on_datagram(uint32_t sock, const proto::Endpoint& from, std::string_view payload);
    void on_eof(uint32_t sock);
    void on_closed(uint32_t sock, const std::optional<ErrorInfo>& error);
    void on_drained(uint32_t sock);
    void on_session_closed(uint16_t code, std::string_view reason);
    void send_line(std::string_view line);

    // Ending.
    void maybe_finish();
    void fail(const std::string& message);
    void finish(int code);
    void note(const std::string& message) const;  // --verbose only
    bool write_stdout(std::string_view bytes);

    asio::io_context& io_;
    CatOptions opts_;
    NativeTransport transport_;
    Client client_;
    std::unique_ptr<StdinPump> stdin_;
    asio::steady_timer timer_;

    uint32_t sock_ = 0;  // the relayed socket, once there is one
    bool relaying_ = false;
    uint32_t listener_ = 0;
    std::string udp_addr_;     // numeric destination for udp mode
    std::string line_;         // udp: stdin bytes after the last newline
    bool stdin_done_ = false;  // stdin ended
    bool write_done_ = false;  // our half-close is confirmed
    bool read_done_ = false;   // the peer's eof arrived
    bool finishing_ = false;
    int exit_code_ = 0;
};

}  // namespace sockgate::client::cat
