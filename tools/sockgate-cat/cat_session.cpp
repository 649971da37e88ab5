#include "tools/sockgate-cat/cat_session.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace sockgate::client::cat {

namespace {

// Stop reading stdin while this much waits for credit.
constexpr uint64_t kMaxQueued = 1 << 20;

std::string describe(const ErrorInfo& e) { return e.message.empty() ? e.code : e.code + ": " + e.message; }

std::string describe(const proto::Endpoint& e) {
    const bool v6 = e.addr.find(':') != std::string::npos;
    return (v6 ? "[" + e.addr + "]" : e.addr) + ":" + std::to_string(e.port);
}

}  // namespace

CatSession::CatSession(asio::io_context& io, CatOptions options)
    : io_(io), opts_(std::move(options)), transport_(io), client_(transport_), timer_(io) {
    ClientEvents& ev = client_.events();
    ev.on_open = [this] { on_open(); };
    ev.on_data = [this](uint32_t s, std::string_view b) { on_data(s, b); };
    ev.on_datagram = [this](uint32_t s, const proto::Endpoint& f, std::string_view p) { on_datagram(s, f, p); };
    ev.on_accept = [this](const proto::AcceptEvent& e) { on_accept(e); };
    ev.on_eof = [this](uint32_t s) { on_eof(s); };
    ev.on_closed = [this](uint32_t s, const std::optional<ErrorInfo>& e) { on_closed(s, e); };
    ev.on_drained = [this](uint32_t s) { on_drained(s); };
    ev.on_session_closed = [this](uint16_t c, std::string_view r) { on_session_closed(c, r); };
    ev.on_error = [](const proto::ErrorEvent& e) {
        std::cerr << "sockgate-cat: gateway error: " << describe(e.error) << "\n";
    };
    ev.on_bad_input = [this](const ErrorInfo& e) { note("ignored bad input from the gateway: " + describe(e)); };
}

void CatSession::start() {
    TransportOptions t;
    t.origin = opts_.origin;
    t.open_timeout = opts_.timeout;
    note("opening " + opts_.url);
    transport_.open(opts_.url, t);
}

// ---------------------------------------------------------------- setup

void CatSession::on_open() {
    client_.hello(opts_.token, [this](Result<proto::HelloReply> r) { on_hello(std::move(r)); });
}

void CatSession::on_hello(Result<proto::HelloReply> r) {
    if (!r) return fail("the gateway refused the session: " + describe(r.error()));
    note("session " + r->session + " with " + r->server);
    switch (opts_.mode) {
        case Mode::tcp:
            return do_connect();
        case Mode::listen:
            return do_listen();
        case Mode::udp:
            return do_resolve_udp();
    }
}

void CatSession::do_connect() {
    proto::ConnectRequest req;
    req.host = *opts_.host;
    req.port = opts_.port;
    req.timeout_ms = uint32_t(opts_.timeout.count());
    client_.connect(req, [this](Result<proto::SocketReply> r) { on_connect(std::move(r)); });
}

void CatSession::on_connect(Result<proto::SocketReply> r) {
    const std::string target = *opts_.host + ":" + std::to_string(opts_.port);
    if (!r) return fail("connect to " + target + " failed: " + describe(r.error()));
    note("connected to " + (r->remote ? describe(*r->remote) : target) + " from " + describe(r->local));
    start_relay(r->sock);
}

void CatSession::do_listen() {
    proto::ListenRequest req;
    req.host = opts_.host;
    req.port = opts_.port;
    client_.listen(req, [this](Result<proto::SocketReply> r) { on_listen(std::move(r)); });
}

void CatSession::on_listen(Result<proto::SocketReply> r) {
    if (!r) return fail("listen failed: " + describe(r.error()));
    listener_ = r->sock;
    // Always printed: a script needs the port when it asked for port 0.
    std::cerr << "sockgate-cat: listening on " << describe(r->local) << std::endl;
}

void CatSession::on_accept(const proto::AcceptEvent& ev) {
    if (ev.listener != listener_ || relaying_) {
        client_.close(ev.sock, nullptr);  // one connection only
        return;
    }
    std::cerr << "sockgate-cat: connection from " << describe(ev.remote) << std::endl;
    client_.close(listener_, nullptr);
    start_relay(ev.sock);
}

void CatSession::do_resolve_udp() {
    if (proto::IpAddress::parse(*opts_.host)) {
        udp_addr_ = *opts_.host;
        return do_bind();
    }
    client_.resolve(*opts_.host, [this](Result<proto::ResolveReply> r) { on_resolve_udp(std::move(r)); });
}

void CatSession::on_resolve_udp(Result<proto::ResolveReply> r) {
    if (!r) return fail("cannot resolve " + *opts_.host + ": " + describe(r.error()));
    if (r->addrs.empty()) return fail("cannot resolve " + *opts_.host + ": no addresses");
    udp_addr_ = r->addrs.front();
    note(*opts_.host + " is " + udp_addr_);
    do_bind();
}

void CatSession::do_bind() {
    proto::BindRequest req;
    // Bind in the destination's family.
    if (udp_addr_.find(':') != std::string::npos) req.host = "::1";
    client_.bind(req, [this](Result<proto::SocketReply> r) { on_bind(std::move(r)); });
}

void CatSession::on_bind(Result<proto::SocketReply> r) {
    if (!r) return fail("bind failed: " + describe(r.error()));
    note("bound to " + describe(r->local));
    start_relay(r->sock);
}

// ---------------------------------------------------------------- relaying

void CatSession::start_relay(uint32_t sock) {
    sock_ = sock;
    relaying_ = true;
    stdin_ = std::make_unique<StdinPump>(
        io_, [this](std::string chunk) { on_stdin(std::move(chunk)); }, [this] { on_stdin_eof(); });
}

void CatSession::on_stdin(std::string chunk) {
    if (finishing_) return;
    if (opts_.mode == Mode::udp) {
        line_ += chunk;
        size_t start = 0;
        for (size_t nl; (nl = line_.find('\n', start)) != std::string::npos; start = nl + 1)
            send_line(std::string_view(line_).substr(start, nl - start));
        line_.erase(0, start);
        if (!finishing_) stdin_->ready();
        return;
    }
    if (Status s = client_.send(sock_, chunk); !s) return fail("send failed: " + describe(s.error()));
    // Read on only while little waits for credit; on_drained resumes.
    if (client_.queued(sock_) < kMaxQueued) stdin_->ready();
}

void CatSession::send_line(std::string_view line) {
    if (Status s = client_.send_to(sock_, udp_addr_, opts_.port, line); !s)
        fail("send to " + udp_addr_ + ":" + std::to_string(opts_.port) + " failed: " + describe(s.error()));
}

void CatSession::on_drained(uint32_t sock) {
    if (sock == sock_ && stdin_ && !stdin_done_) stdin_->ready();
}

void CatSession::on_stdin_eof() {
    if (finishing_) return;
    stdin_done_ = true;
    if (opts_.mode == Mode::udp) {
        if (!line_.empty()) send_line(line_);
        if (finishing_) return;
        // Wait a while for replies, then stop.
        timer_.expires_after(opts_.linger);
        timer_.async_wait([this](const std::error_code& ec) {
            if (!ec) finish(0);
        });
        return;
    }
    note("end of input: half-closing");
    client_.shutdown(sock_, [this](Status s) { on_shutdown(std::move(s)); });
}

void CatSession::on_shutdown(Status s) {
    // A socket closed meanwhile reports through on_closed.
    if (!s && s.code() != "EBADF" && s.code() != "ECANCELED") return fail("shutdown failed: " + describe(s.error()));
    write_done_ = true;
    maybe_finish();
}

void CatSession::on_data(uint32_t sock, std::string_view bytes) {
    if (sock != sock_ || finishing_) return;
    if (!write_stdout(bytes)) fail(std::string("cannot write to stdout: ") + std::strerror(errno));
}

void CatSession::on_datagram(uint32_t sock, const proto::Endpoint& from, std::string_view payload) {
    if (sock != sock_ || finishing_) return;
    note("datagram of " + std::to_string(payload.size()) + " bytes from " + describe(from));
    std::string line(payload);
    line.push_back('\n');
    if (!write_stdout(line)) fail(std::string("cannot write to stdout: ") + std::strerror(errno));
}

void CatSession::on_eof(uint32_t sock) {
    if (sock != sock_) return;
    note("the peer closed its side");
    read_done_ = true;
    maybe_finish();
}

void CatSession::on_closed(uint32_t sock, const std::optional<ErrorInfo>& error) {
    if (sock == listener_ && !relaying_)
        return fail("the listener closed" + (error ? ": " + describe(*error) : std::string()));
    if (sock != sock_ || !relaying_) return;
    if (error) return fail("connection closed: " + describe(*error));
    note("the gateway closed the connection");
    read_done_ = write_done_ = true;
    maybe_finish();
}

void CatSession::on_session_closed(uint16_t code, std::string_view reason) {
    if (finishing_) {
        io_.stop();
        return;
    }
    finishing_ = true;
    exit_code_ = 1;
    const TransportStatus& st = transport_.status();
    if (client_.state() == SessionState::closed && !st.error_code.empty() && st.http_status != 101)
        std::cerr << "sockgate-cat: cannot open " << opts_.url << ": " << st.error_code << ": " << st.error_message
                  << "\n";
    else
        std::cerr << "sockgate-cat: the gateway closed the session (code " << code
                  << (reason.empty() ? "" : ": " + std::string(reason)) << ")\n";
    stdin_.reset();
    io_.stop();
}

// ---------------------------------------------------------------- ending

void CatSession::maybe_finish() {
    if (read_done_ && write_done_) finish(0);
}

void CatSession::fail(const std::string& message) {
    if (finishing_) return;
    std::cerr << "sockgate-cat: " << message << "\n";
    finish(1);
}

void CatSession::finish(int code) {
    if (finishing_) return;
    finishing_ = true;
    exit_code_ = code;
    stdin_.reset();
    // Close the session properly, but do not wait long for the gateway.
    client_.close_session(close_code::normal, "done");
    timer_.cancel();
    timer_.expires_after(std::chrono::seconds(2));
    timer_.async_wait([this](const std::error_code& ec) {
        if (!ec) io_.stop();
    });
}

void CatSession::note(const std::string& message) const {
    if (opts_.verbose) std::cerr << "sockgate-cat: " << message << "\n";
}

bool CatSession::write_stdout(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(size_t(n));
    }
    return true;
}

}  // namespace sockgate::client::cat
