#include "bench/relay_path.hpp"

#include <algorithm>

namespace sockgate::bench {

using client::Client;
using client::Result;

// ---------------------------------------------------------------- RelayStream

RelayStream::RelayStream(EventLoop& loop, Client& client, uint32_t sock) : loop_(loop), client_(client), sock_(sock) {}

void RelayStream::write(std::string_view bytes) {
    const auto status = client_.send(sock_, bytes);
    if (!status) loop_.fail("relay send on socket " + std::to_string(sock_) + ": " + status.describe());
}

// ---------------------------------------------------------------- RelayDatagramPort

RelayDatagramPort::RelayDatagramPort(EventLoop& loop, Client& client, uint32_t sock, uint16_t peer_port)
    : loop_(loop), client_(client), sock_(sock), peer_port_(peer_port) {}

void RelayDatagramPort::send(std::string_view payload) {
    const auto status = client_.send_to(sock_, "127.0.0.1", peer_port_, payload);
    if (!status) loop_.fail("relay send_to: " + status.describe());
}

// ---------------------------------------------------------------- RelaySession

RelaySession::RelaySession(EventLoop& loop, std::string url, std::string label)
    : loop_(loop), url_(std::move(url)), label_(std::move(label)), transport_(loop.io()), client_(transport_) {
    route_events();
}

void RelaySession::fail(const std::string& what) { loop_.fail(label_ + ": " + what); }

void RelaySession::route_events() {
    auto& ev = client_.events();
    ev.on_data = [this](uint32_t sock, std::string_view bytes) {
        if (auto it = streams_.find(sock); it != streams_.end()) it->second->deliver(bytes);
    };
    ev.on_drained = [this](uint32_t sock) {
        if (auto it = streams_.find(sock); it != streams_.end()) it->second->drained();
    };
    ev.on_datagram = [this](uint32_t sock, const proto::Endpoint&, std::string_view payload) {
        if (datagram_port_ && sock == datagram_sock_) datagram_port_->deliver(payload);
    };
    // During a workload nothing may end or go wrong: every one of these is
    // a failure of the run.
    ev.on_eof = [this](uint32_t sock) { fail("the echo peer closed socket " + std::to_string(sock)); };
    ev.on_closed = [this](uint32_t sock, const std::optional<client::ErrorInfo>& error) {
        fail("the gateway closed socket " + std::to_string(sock) +
             (error ? ": " + error->code + " " + error->message : ""));
    };
    ev.on_error = [this](const proto::ErrorEvent& event) {
        fail("error event: " + event.error.code + " " + event.error.message);
    };
    ev.on_bad_input = [this](const client::ErrorInfo& problem) {
        fail("bad input from the gateway: " + problem.code + " " + problem.message);
    };
    ev.on_session_closed = [this](uint16_t code, std::string_view reason) {
        std::string why = "session closed (" + std::to_string(code) + " " + std::string(reason) + ")";
        const auto& st = transport_.status();
        if (!st.error_code.empty()) why += ": " + st.error_code + " " + st.error_message;
        fail(why);
    };
}

void RelaySession::start(std::function<void()> ready) {
    client_.events().on_open = [this, ready = std::move(ready)] {
        client_.hello(std::nullopt, [this, ready](Result<proto::HelloReply> reply) {
            if (!reply) return fail("hello: " + reply.describe());
            ready();
        });
    };
    client::TransportOptions options;
    options.open_timeout = std::chrono::seconds(30);  // a hundred handshakes on a busy machine
    transport_.open(url_, options);
}

void RelaySession::connect_streams(uint16_t port, size_t count, size_t window, std::function<void()> done) {
    connect_port_ = port;
    connect_wanted_ = count;
    connect_window_ = std::max<size_t>(1, window);
    connected_ = std::move(done);
    ordered_streams_.reserve(count);
    do_connect_more();
}

void RelaySession::do_connect_more() {
    while (connect_started_ < connect_wanted_ && connect_in_flight_ < connect_window_) {
        ++connect_started_;
        ++connect_in_flight_;
        client_.connect("127.0.0.1", connect_port_,
                        [this](Result<proto::SocketReply> reply) { on_connected(std::move(reply)); });
    }
}

void RelaySession::on_connected(Result<proto::SocketReply> reply) {
    --connect_in_flight_;
    if (!reply)
        return fail("connect failed with " + std::to_string(ordered_streams_.size()) + " of " +
                    std::to_string(connect_wanted_) + " sockets open: " + reply.describe());
    auto stream = std::make_unique<RelayStream>(loop_, client_, reply->sock);
    ordered_streams_.push_back(stream.get());
    streams_.emplace(reply->sock, std::move(stream));
    if (ordered_streams_.size() < connect_wanted_) return do_connect_more();
    connected_();
}

void RelaySession::bind_datagram_port(uint16_t peer_port, std::function<void()> done) {
    client_.bind(proto::BindRequest{}, [this, peer_port, done = std::move(done)](Result<proto::SocketReply> reply) {
        if (!reply) return fail("bind: " + reply.describe());
        datagram_sock_ = reply->sock;
        datagram_port_ = std::make_unique<RelayDatagramPort>(loop_, client_, reply->sock, peer_port);
        done();
    });
}

// ---------------------------------------------------------------- RelayPath

RelayPath::RelayPath(EventLoop& loop, std::string ws_url, uint16_t tcp_port, uint16_t udp_port, size_t connect_window)
    : loop_(loop),
      ws_url_(std::move(ws_url)),
      tcp_port_(tcp_port),
      udp_port_(udp_port),
      connect_window_(connect_window) {}

void RelayPath::open_streams(size_t sessions, size_t per_session, std::function<void(std::vector<Stream*>)> done) {
    streams_done_ = std::move(done);
    const size_t window_per_session = std::max<size_t>(1, connect_window_ / sessions);
    for (size_t i = 0; i < sessions; ++i) {
        sessions_.push_back(std::make_unique<RelaySession>(loop_, ws_url_, "session " + std::to_string(i + 1)));
        RelaySession* s = sessions_.back().get();
        s->start([this, s, per_session, window_per_session] {
            s->connect_streams(tcp_port_, per_session, window_per_session, [this] { on_session_connected(); });
        });
    }
}

void RelayPath::on_session_connected() {
    if (++sessions_connected_ < sessions_.size()) return;
    std::vector<Stream*> all;
    for (const auto& s : sessions_)
        for (RelayStream* stream : s->streams()) all.push_back(stream);
    streams_done_(std::move(all));
}

void RelayPath::open_datagram_port(std::function<void(DatagramPort*)> done) {
    sessions_.push_back(std::make_unique<RelaySession>(loop_, ws_url_, "udp session"));
    RelaySession* s = sessions_.back().get();
    s->start([this, s, done = std::move(done)] {
        s->bind_datagram_port(udp_port_, [s, done] { done(s->datagram_port()); });
    });
}

}  // namespace sockgate::bench
