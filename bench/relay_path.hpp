// Through the gateway: sessions of the client core (the code the browser
// runs) over NativeTransport, all on the workload's one event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/event_loop.hpp"
#include "bench/path.hpp"
#include "wasm/core/client.hpp"
#include "wasm/native/native_transport.hpp"

namespace sockgate::bench {

// One TCP socket of a session, as a Stream.
class RelayStream final : public Stream {
public:
    RelayStream(EventLoop& loop, client::Client& client, uint32_t sock);

    // Ready while nothing waits for credit: bytes written now go out at once.
    bool ready() const override { return client_.queued(sock_) == 0; }
    void write(std::string_view bytes) override;

    // Called by the session's event routing.
    void deliver(std::string_view bytes) {
        if (sink_) sink_->on_stream_data(bytes);
    }
    void drained() {
        if (sink_) sink_->on_stream_ready();
    }

private:
    EventLoop& loop_;
    client::Client& client_;
    uint32_t sock_;
};

class RelayDatagramPort final : public DatagramPort {
public:
    RelayDatagramPort(EventLoop& loop, client::Client& client, uint32_t sock, uint16_t peer_port);
    void send(std::string_view payload) override;
    void deliver(std::string_view payload) {
        if (sink_) sink_->on_datagram(payload);
    }

private:
    EventLoop& loop_;
    client::Client& client_;
    uint32_t sock_;
    uint16_t peer_port_;
};

// One WebSocket session with the gateway: opens, says hello, connects
// sockets and routes the client core's events to them.
class RelaySession {
public:
    RelaySession(EventLoop& loop, std::string url, std::string label);
    RelaySession(const RelaySession&) = delete;
    RelaySession& operator=(const RelaySession&) = delete;

    // Opens the WebSocket and sends hello; `ready` runs after the reply.
    void start(std::function<void()> ready);
    // Connects `count` sockets to 127.0.0.1:port, at most `window` requests
    // at a time; `done` runs once all are open.
    void connect_streams(uint16_t port, size_t count, size_t window, std::function<void()> done);
    // Binds a UDP socket whose datagrams go to 127.0.0.1:peer_port.
    void bind_datagram_port(uint16_t peer_port, std::function<void()> done);

    const std::vector<RelayStream*>& streams() const { return ordered_streams_; }
    RelayDatagramPort* datagram_port() { return datagram_port_.get(); }

private:
    void route_events();
    void do_connect_more();
    void on_connected(client::Result<proto::SocketReply> reply);
    void fail(const std::string& what);

    EventLoop& loop_;
    std::string url_;
    std::string label_;  // "session 7", for failure messages
    client::NativeTransport transport_;
    client::Client client_;  // after transport_: it holds a reference to it

    uint16_t connect_port_ = 0;
    size_t connect_wanted_ = 0;
    size_t connect_started_ = 0;
    size_t connect_in_flight_ = 0;
    size_t connect_window_ = 1;
    std::function<void()> connected_;

    std::unordered_map<uint32_t, std::unique_ptr<RelayStream>> streams_;
    std::vector<RelayStream*> ordered_streams_;
    std::unique_ptr<RelayDatagramPort> datagram_port_;
    uint32_t datagram_sock_ = 0;
};

class RelayPath final : public Path {
public:
    RelayPath(EventLoop& loop, std::string ws_url, uint16_t tcp_port, uint16_t udp_port, size_t connect_window);

    const char* name() const override { return "relay"; }
    void open_streams(size_t sessions, size_t per_session, std::function<void(std::vector<Stream*>)> done) override;
    void open_datagram_port(std::function<void(DatagramPort*)> done) override;

private:
    void on_session_connected();

    EventLoop& loop_;
    std::string ws_url_;
    uint16_t tcp_port_;
    uint16_t udp_port_;
    size_t connect_window_;
    std::vector<std::unique_ptr<RelaySession>> sessions_;
    size_t sessions_connected_ = 0;
    std::function<void(std::vector<Stream*>)> streams_done_;
};

}  // namespace sockgate::bench
