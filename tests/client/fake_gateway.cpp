#include "fake_gateway.hpp"

#include <algorithm>
#include <map>

#include "protocol/frame.hpp"
#include "protocol/messages.hpp"

namespace sockgate::client::testing {

using nlohmann::json;
using ConnId = TestServer::ConnId;

// All state lives on the server thread.
class FakeGateway::Sessions {
public:
    Sessions(TestServer& server, FakeGatewayOptions options, std::atomic<uint64_t>& overruns,
             std::atomic<uint64_t>& data_bytes)
        : server_(server), options_(std::move(options)), overruns_(overruns), data_bytes_(data_bytes) {}

    void on_open(ConnId c) { sessions_[c] = Session{}; }
    void on_close(ConnId c) { sessions_.erase(c); }
    void on_message(ConnId c, bool is_text, const std::string& payload) {
        auto it = sessions_.find(c);
        if (it == sessions_.end()) return;
        if (is_text)
            on_text(c, it->second, payload);
        else
            on_binary(c, it->second, payload);
    }

private:
    enum class Kind { stream, listener, udp };
    struct Sock {
        Kind kind = Kind::stream;
        uint64_t send_credit = 0;
        int64_t recv_credit = 0;
        std::string out;
        size_t out_offset = 0;
        bool eof_when_flushed = false;
        bool eof_sent = false;
    };
    struct Session {
        bool hello = false;
        uint32_t next = 1;
        std::map<uint32_t, Sock> socks;
    };

    void on_text(ConnId c, Session& s, const std::string& text) {
        proto::Envelope env;
        try {
            env = proto::parse_envelope(text);
            handle_request(c, s, env);
        } catch (const proto::ProtocolError& e) {
            json ev = {{"error", e.info()}};
            if (env.id) ev["id"] = *env.id;
            event(c, proto::op::error, ev);
        }
    }

    void handle_request(ConnId c, Session& s, const proto::Envelope& env) {
        if (!env.id) throw proto::ProtocolError("EINVAL", "request without id");
        if (env.op == proto::op::hello) {
            const auto req = proto::read_message<proto::HelloRequest>(env);
            if (!options_.token.empty() && req.token != options_.token) {
                server_.send_text(c, proto::make_error_reply(env.op, *env.id, {"EACCES", "bad token"}));
                server_.close(c, 1008, "bad token");
                return;
            }
            s.hello = true;
            proto::HelloReply r;
            r.server = "fake-gateway";
            r.session = "fake-" + std::to_string(c);
            r.window = options_.window;
            r.max_window = options_.window;
            r.max_frame = options_.max_frame;
            r.limits = {16, 4};
            return reply(c, env, r);
        }
        if (!s.hello) return error_reply(c, env, "EPERM", "hello first");
        if (env.op == proto::op::connect) {
            const auto req = proto::read_message<proto::ConnectRequest>(env);
            if (req.port == 1) return error_reply(c, env, "ECONNREFUSED", "Connection refused");
            const uint32_t id = add(s, Kind::stream);
            proto::SocketReply r{id, {"127.0.0.1", uint16_t(50000 + id)}, proto::Endpoint{req.host, req.port}};
            reply(c, env, r);
            if (req.port == 2) {
                Sock& sock = s.socks[id];
                for (uint64_t i = 0; i < options_.source_bytes; ++i) sock.out.push_back(source_byte(i));
                sock.eof_when_flushed = true;
                flush(c, id, sock);
            } else if (req.port == 3) {
                s.socks.erase(id);
                event(c, proto::op::closed, proto::ClosedEvent{id, proto::ErrorInfo{"ECONNRESET", "reset by peer"}});
            }
            return;
        }
        if (env.op == proto::op::listen) {
            const auto req = proto::read_message<proto::ListenRequest>(env);
            const uint32_t id = add(s, Kind::listener);
            const proto::Endpoint local{req.host.value_or("127.0.0.1"), req.port ? req.port : uint16_t(5000)};
            reply(c, env, proto::SocketReply{id, local, std::nullopt});
            const uint32_t conn = add(s, Kind::stream);
            event(c, proto::op::accept, proto::AcceptEvent{id, conn, local, {"127.0.0.1", 40000}});
            return;
        }
        if (env.op == proto::op::bind) {
            const auto req = proto::read_message<proto::BindRequest>(env);
            const uint32_t id = add(s, Kind::udp);
            return reply(c, env, proto::SocketReply{id, {req.host.value_or("127.0.0.1"), 6000}, std::nullopt});
        }
        if (env.op == proto::op::shutdown || env.op == proto::op::close) {
            const auto req = proto::read_message<proto::SockRequest>(env);
            auto it = s.socks.find(req.sock);
            if (it == s.socks.end()) return error_reply(c, env, "EBADF", "no such socket");
            if (env.op == proto::op::close) {
                s.socks.erase(it);
                return reply(c, env, json::object());
            }
            reply(c, env, json::object());
            it->second.eof_when_flushed = true;  // echo the FIN after the data
            return flush(c, req.sock, it->second);
        }
        if (env.op == proto::op::resolve) return reply(c, env, proto::ResolveReply{{"127.0.0.1"}});
        if (env.op == "kick") return server_.close(c, 1008, "kicked");
        error_reply(c, env, "EINVAL", "unknown op '" + env.op + "'");
    }

    void on_binary(ConnId c, Session& s, const std::string& bytes) {
        const auto r = proto::decode_frame(bytes);
        if (!r) {
            event(c, proto::op::error, json{{"error", proto::ErrorInfo{"EBADMSG", proto::to_string(r.error)}}});
            return;
        }
        const proto::Frame& f = r.frame;
        auto it = s.socks.find(f.sock);
        if (it == s.socks.end()) {
            event(c, proto::op::error, json{{"error", proto::ErrorInfo{"EBADF", "frame for unknown socket"}}});
            return;
        }
        Sock& sock = it->second;
        if (f.kind == proto::FrameKind::window) {
            sock.send_credit += f.increment;
            return flush(c, f.sock, sock);
        }
        if (f.kind == proto::FrameKind::datagram) {
            server_.send_binary(c, proto::encode_datagram(f.sock, f.peer_addr, f.peer_port, f.payload));
            return;
        }
        const auto n = int64_t(f.payload.size());
        data_bytes_ += uint64_t(n);
        sock.recv_credit -= n;
        if (sock.recv_credit < 0) {
            overruns_ += uint64_t(-sock.recv_credit);
            const uint32_t id = f.sock;
            s.socks.erase(it);
            event(c, proto::op::closed, proto::ClosedEvent{id, proto::ErrorInfo{"EPROTO", "credit overrun"}});
            return;
        }
        // "Consumed" at once: echo it (unless a source) and grant it back.
        if (!sock.eof_when_flushed) sock.out.append(f.payload);
        sock.recv_credit += n;
        server_.send_binary(c, proto::encode_window(f.sock, uint32_t(n)));
        flush(c, f.sock, sock);
    }

    void flush(ConnId c, uint32_t id, Sock& sock) {
        const size_t max_payload = options_.max_frame - proto::kFrameHeaderSize;
        while (sock.out_offset < sock.out.size() && sock.send_credit > 0) {
            const size_t n = std::min<uint64_t>({sock.out.size() - sock.out_offset, sock.send_credit, max_payload});
            server_.send_binary(c, proto::encode_data(id, std::string_view(sock.out).substr(sock.out_offset, n)));
            sock.out_offset += n;
            sock.send_credit -= n;
        }
        if (sock.out_offset < sock.out.size()) return;
        sock.out.clear();
        sock.out_offset = 0;
        if (sock.eof_when_flushed && !sock.eof_sent) {
            sock.eof_sent = true;
            event(c, proto::op::eof, proto::EofEvent{id});
        }
    }

    uint32_t add(Session& s, Kind kind) {
        const uint32_t id = s.next++;
        Sock& sock = s.socks[id];
        sock.kind = kind;
        sock.send_credit = options_.window;
        sock.recv_credit = options_.window;
        return id;
    }

    void reply(ConnId c, const proto::Envelope& env, const json& fields) {
        server_.send_text(c, proto::make_reply(env.op, *env.id, fields));
    }
    void error_reply(ConnId c, const proto::Envelope& env, const std::string& code, const std::string& msg) {
        server_.send_text(c, proto::make_error_reply(env.op, *env.id, {code, msg}));
    }
    void event(ConnId c, const char* op, const json& body) { server_.send_text(c, proto::make_event(op, body)); }

    TestServer& server_;
    FakeGatewayOptions options_;
    std::atomic<uint64_t>& overruns_;
    std::atomic<uint64_t>& data_bytes_;
    std::map<ConnId, Session> sessions_;
};

FakeGateway::FakeGateway(FakeGatewayOptions options)
    : sessions_(std::make_unique<Sessions>(server_, std::move(options), overruns_, data_bytes_)) {
    server_.run_on_server([this] {
        server_.on_open = [this](ConnId c) { sessions_->on_open(c); };
        server_.on_close = [this](ConnId c) { sessions_->on_close(c); };
        server_.on_message = [this](ConnId c, bool t, const std::string& p) { sessions_->on_message(c, t, p); };
    });
}

FakeGateway::~FakeGateway() {
    server_.run_on_server([this] {
        server_.on_open = nullptr;
        server_.on_close = nullptr;
        server_.on_message = nullptr;
    });
}

}  // namespace sockgate::client::testing
