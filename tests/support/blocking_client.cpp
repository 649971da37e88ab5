#include "support/blocking_client.hpp"
#include "wasm/core/tapped_transport.hpp"

#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>

// Threads: the core, the transport and every recorded container live on the
// event-loop thread. Public methods run their work there with on_io() and
// wait for changes with wait_for(), which re-checks its condition whenever
// the transport has reported something (a generation counter + condvar).

namespace sockgate::client {

namespace {

using Clock = std::chrono::steady_clock;

std::string ms(BlockingClient::Duration d) { return std::to_string(d.count()) + " ms"; }

// Received stream bytes of one socket, read from the front.
class Inbox {
public:
    size_t size() const { return data_.size() - offset_; }
    void append(std::string_view bytes) { data_.append(bytes); }
    std::string take(size_t n) {
        n = std::min(n, size());
        std::string out = data_.substr(offset_, n);
        offset_ += n;
        credited = n < credited ? credited - n : 0;
        // Compact once the read part dominates, so reads stay amortised O(n).
        if (offset_ > data_.size() / 2) {
            data_.erase(0, offset_);
            offset_ = 0;
        }
        return out;
    }

    // Manual credit: how many bytes at the front were already consumed
    // (granted back) because a read waiting for them claimed them.
    size_t credited = 0;

private:
    std::string data_;
    size_t offset_ = 0;
};

}  // namespace

class BlockingClient::Impl {
public:
    explicit Impl(ClientOptions options)
        : work_(asio::make_work_guard(io_)),
          native(std::make_unique<NativeTransport>(io_)),
          tap_(std::make_unique<TappedTransport>(*native, [this] { bump(); })),
          client(std::make_unique<Client>(*tap_, options)) {
        record();
        thread_ = std::thread([this] { io_.run(); });
        io_thread_ = thread_.get_id();
    }

    ~Impl() {
        // The parts are destroyed on their own thread, then the loop stops;
        // what websocketpp still has queued is dropped with the io_context.
        on_io([this] {
            client.reset();
            tap_.reset();
            native.reset();
        });
        work_.reset();
        io_.stop();
        thread_.join();
    }

    // Runs f on the event-loop thread and returns its result.
    template <class F>
    auto on_io(F&& f) -> std::invoke_result_t<F&> {
        using R = std::invoke_result_t<F&>;
        if (std::this_thread::get_id() == io_thread_) return f();
        std::packaged_task<R()> task(std::forward<F>(f));
        auto result = task.get_future();
        asio::post(io_, [&task] { task(); });
        return result.get();
    }

    // Waits until check() is true or the timeout passes. check() runs on the
    // caller's thread; it is re-run after every transport report.
    bool wait_until(const std::function<bool()>& check, Duration timeout) {
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            uint64_t seen;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                seen = generation_;
            }
            if (check()) return true;
            std::unique_lock<std::mutex> lock(mutex_);
            if (!changed_.wait_until(lock, deadline, [&] { return generation_ != seen; })) return false;
        }
    }
    // The same, with a condition on the event-loop thread's state.
    bool wait_for(const std::function<bool()>& io_check, Duration timeout) {
        return wait_until([&] { return on_io(io_check); }, timeout);
    }

    // Starts a request through `start(callback)` on the event-loop thread and
    // waits for its result. `on_reply` sees a successful reply inside the
    // core's callback, before any later message is handled.
    template <class T, class Start>
    Result<T> call(const char* what, Duration timeout, Start&& start,
                   std::function<void(const T&)> on_reply = nullptr) {
        // Shared: after a timeout the callback may still run.
        auto slot = std::make_shared<std::optional<Result<T>>>();
        on_io([&] {
            start([slot, on_reply](Result<T> r) {
                if (r && on_reply) on_reply(r.value());
                *slot = std::move(r);
            });
        });
        if (!wait_for([&] { return slot->has_value(); }, timeout))
            return Result<T>::failure("ETIMEDOUT", std::string(what) + ": no reply within " + ms(timeout));
        return on_io([&] { return std::move(**slot); });
    }

    // ---- event-loop thread only ----

    // A new socket may reuse the id of a closed one: start its records afresh.
    void reset_records(uint32_t sock) {
        inboxes.erase(sock);
        datagrams.erase(sock);
        accepts.erase(sock);
    }

    // Why a stream that has nothing more to read ended, or nullopt if it may
    // still get data.
    std::optional<Result<std::string>> stream_end(uint32_t sock) const {
        const SocketInfo* s = client->socket(sock);
        if (!s) return Result<std::string>::failure("EBADF", "unknown socket " + std::to_string(sock));
        if (s->eof_received) return Result<std::string>(std::string());
        if (s->state == SocketState::closed) {
            if (s->close_error) return Result<std::string>(*s->close_error);
            return Result<std::string>(std::string());
        }
        if (s->state == SocketState::closing)
            return Result<std::string>::failure("EBADF", "socket " + std::to_string(sock) + " is closing");
        return std::nullopt;
    }

    // Manual credit: a read that will hand out up to n bytes consumes them as
    // they arrive, so that reads longer than the window cannot stall.
    void credit_up_to(uint32_t sock, size_t n) {
        const SocketInfo* s = client->socket(sock);
        if (!s || !s->manual_credit) return;
        Inbox& in = inboxes[sock];
        const size_t want = std::min(n, in.size());
        if (want <= in.credited) return;
        if (client->consume(sock, want - in.credited)) in.credited = want;
    }

    std::string take(uint32_t sock, size_t n) {
        credit_up_to(sock, n);
        return inboxes[sock].take(n);
    }

    bool session_ended() const { return client->state() == SessionState::closed; }

private:
    // Declaration order is construction order: the loop before the parts.
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::mutex mutex_;
    std::condition_variable changed_;
    uint64_t generation_ = 0;

public:
    std::unique_ptr<NativeTransport> native;

private:
    std::unique_ptr<TappedTransport> tap_;

public:
    std::unique_ptr<Client> client;

    bool opened = false;  // caller's thread only
    std::map<uint32_t, Inbox> inboxes;
    std::map<uint32_t, std::deque<Datagram>> datagrams;
    std::map<uint32_t, std::deque<proto::AcceptEvent>> accepts;
    std::vector<proto::ErrorEvent> errors;
    size_t errors_returned = 0;
    std::vector<proto::ClosedEvent> closed;
    std::vector<ErrorInfo> bad_input;
    std::vector<std::string> texts;

private:
    void bump() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            ++generation_;
        }
        changed_.notify_all();
    }

    void record() {
        ClientEvents& ev = client->events();
        ev.on_data = [this](uint32_t sock, std::string_view bytes) { inboxes[sock].append(bytes); };
        ev.on_datagram = [this](uint32_t sock, const proto::Endpoint& from, std::string_view payload) {
            datagrams[sock].push_back(Datagram{from, std::string(payload)});
        };
        ev.on_accept = [this](const proto::AcceptEvent& e) {
            reset_records(e.sock);
            accepts[e.listener].push_back(e);
        };
        ev.on_error = [this](const proto::ErrorEvent& e) { errors.push_back(e); };
        ev.on_closed = [this](uint32_t sock, const std::optional<ErrorInfo>& error) {
            closed.push_back(proto::ClosedEvent{sock, error});
        };
        ev.on_bad_input = [this](const ErrorInfo& e) { bad_input.push_back(e); };
        ev.on_wire_text = [this](Direction dir, std::string_view text) {
            if (dir == Direction::in) texts.emplace_back(text);
        };
    }

    std::thread thread_;
    std::thread::id io_thread_;
};

// ---------------------------------------------------------------- session

BlockingClient::BlockingClient(ClientOptions options) : impl_(std::make_unique<Impl>(options)) {}

BlockingClient::~BlockingClient() {
    // Let the gateway see a proper close before the thread stops.
    if (impl_->opened && !impl_->on_io([this] { return impl_->session_ended(); })) {
        impl_->on_io([this] { impl_->client->close_session(close_code::going_away, "client done"); });
        impl_->wait_for([this] { return impl_->session_ended(); }, Duration(1000));
    }
}

Status BlockingClient::open(const std::string& url, const TransportOptions& options, Duration timeout) {
    if (impl_->opened) return Status::failure("EISCONN", "a BlockingClient opens only once");
    impl_->opened = true;
    impl_->on_io([&] { impl_->native->open(url, options); });
    const bool settled =
        impl_->wait_for([this] { return impl_->client->state() != SessionState::connecting; }, timeout);
    return impl_->on_io([&]() -> Status {
        if (impl_->client->state() == SessionState::open) return Done{};
        if (!settled) {
            impl_->native->close(close_code::going_away, {});
            return Status::failure("ETIMEDOUT", "WebSocket not open within " + ms(timeout));
        }
        const TransportStatus& st = impl_->native->status();
        return Status::failure(st.error_code.empty() ? "ECONNRESET" : st.error_code,
                               st.error_message.empty() ? "WebSocket closed while opening" : st.error_message);
    });
}

Result<proto::HelloReply> BlockingClient::hello(std::optional<std::string> token, Duration timeout) {
    return impl_->call<proto::HelloReply>("hello", timeout,
                                          [&](auto done) { impl_->client->hello(std::move(token), std::move(done)); });
}

Result<proto::HelloReply> BlockingClient::start(const std::string& url, const TransportOptions& options,
                                                std::optional<std::string> token, Duration timeout) {
    if (Status st = open(url, options, timeout); !st) return st.error();
    return hello(std::move(token), timeout);
}

Result<SessionClose> BlockingClient::close_session(uint16_t code, std::string reason, Duration timeout) {
    impl_->on_io([&] { impl_->client->close_session(code, std::move(reason)); });
    return wait_session_closed(timeout);
}

Result<SessionClose> BlockingClient::wait_session_closed(Duration timeout) {
    if (!impl_->wait_for([this] { return impl_->session_ended(); }, timeout))
        return Result<SessionClose>::failure("ETIMEDOUT", "session still open after " + ms(timeout));
    return impl_->on_io([this] { return *impl_->client->session_close(); });
}

bool BlockingClient::session_open() const {
    return impl_->on_io([this] {
        const SessionState s = impl_->client->state();
        return s == SessionState::open || s == SessionState::ready;
    });
}

// ---------------------------------------------------------------- requests

Result<proto::SocketReply> BlockingClient::connect(const std::string& host, uint16_t port, Duration timeout) {
    proto::ConnectRequest request;
    request.host = host;
    request.port = port;
    return connect(request, timeout);
}

Result<proto::SocketReply> BlockingClient::connect(const proto::ConnectRequest& request, Duration timeout) {
    return impl_->call<proto::SocketReply>(
        "connect", timeout, [&](auto done) { impl_->client->connect(request, std::move(done)); },
        [this](const proto::SocketReply& r) { impl_->reset_records(r.sock); });
}

Result<proto::SocketReply> BlockingClient::listen(std::optional<std::string> host, uint16_t port, Duration timeout) {
    proto::ListenRequest request;
    request.host = std::move(host);
    request.port = port;
    return listen(request, timeout);
}

Result<proto::SocketReply> BlockingClient::listen(const proto::ListenRequest& request, Duration timeout) {
    return impl_->call<proto::SocketReply>(
        "listen", timeout, [&](auto done) { impl_->client->listen(request, std::move(done)); },
        [this](const proto::SocketReply& r) { impl_->reset_records(r.sock); });
}

Result<proto::SocketReply> BlockingClient::bind(std::optional<std::string> host, uint16_t port, Duration timeout) {
    proto::BindRequest request;
    request.host = std::move(host);
    request.port = port;
    return impl_->call<proto::SocketReply>(
        "bind", timeout, [&](auto done) { impl_->client->bind(request, std::move(done)); },
        [this](const proto::SocketReply& r) { impl_->reset_records(r.sock); });
}

Status BlockingClient::shutdown(uint32_t sock, Duration timeout) {
    return impl_->call<Done>("shutdown", timeout, [&](auto done) { impl_->client->shutdown(sock, std::move(done)); });
}

Status BlockingClient::close(uint32_t sock, Duration timeout) {
    return impl_->call<Done>("close", timeout, [&](auto done) { impl_->client->close(sock, std::move(done)); });
}

Result<proto::ResolveReply> BlockingClient::resolve(const std::string& host, Duration timeout) {
    return impl_->call<proto::ResolveReply>("resolve", timeout,
                                            [&](auto done) { impl_->client->resolve(host, std::move(done)); });
}

Result<nlohmann::json> BlockingClient::request(const std::string& op, const nlohmann::json& fields, Duration timeout) {
    return impl_->call<nlohmann::json>(
        op.c_str(), timeout, [&](auto done) { impl_->client->request(op, fields, std::move(done)); },
        [this, op](const nlohmann::json& reply) {
            // Raw connect/listen/bind create sockets like the typed calls.
            if (op != proto::op::connect && op != proto::op::listen && op != proto::op::bind) return;
            auto sock = reply.find("sock");
            if (sock != reply.end() && sock->is_number_unsigned()) impl_->reset_records(sock->get<uint32_t>());
        });
}

// ---------------------------------------------------------------- streams

Status BlockingClient::send(uint32_t sock, std::string_view bytes) {
    return impl_->on_io([&] { return impl_->client->send(sock, bytes); });
}

Status BlockingClient::drain(uint32_t sock, Duration timeout) {
    auto settled = [&] {
        const SocketInfo* s = impl_->client->socket(sock);
        return !s || !s->is_open() || s->queued == 0;
    };
    const bool drained = impl_->wait_for(settled, timeout);
    return impl_->on_io([&]() -> Status {
        const SocketInfo* s = impl_->client->socket(sock);
        if (!s) return Status::failure("EBADF", "unknown socket " + std::to_string(sock));
        if (s->is_open() && s->queued == 0) return Done{};
        if (!drained)
            return Status::failure("ETIMEDOUT", std::to_string(s->queued) + " bytes still queued after " + ms(timeout));
        if (s->close_error) return *s->close_error;
        return Status::failure("EBADF", "socket " + std::to_string(sock) + " closed with data queued");
    });
}

Result<std::string> BlockingClient::recv_some(uint32_t sock, size_t max, Duration timeout) {
    if (max == 0) return std::string();
    auto ready = [&] { return impl_->inboxes[sock].size() > 0 || impl_->stream_end(sock); };
    if (!impl_->wait_for(ready, timeout))
        return Result<std::string>::failure("ETIMEDOUT", "no data within " + ms(timeout));
    return impl_->on_io([&]() -> Result<std::string> {
        if (impl_->inboxes[sock].size() > 0) return impl_->take(sock, max);
        return *impl_->stream_end(sock);
    });
}

Result<std::string> BlockingClient::read_exactly(uint32_t sock, size_t n, Duration timeout) {
    auto ready = [&] {
        impl_->credit_up_to(sock, n);
        return impl_->inboxes[sock].size() >= n || impl_->stream_end(sock);
    };
    const bool done = impl_->wait_for(ready, timeout);
    return impl_->on_io([&]() -> Result<std::string> {
        const size_t have = impl_->inboxes[sock].size();
        if (have >= n) return impl_->take(sock, n);
        const std::string got = std::to_string(have) + " of " + std::to_string(n) + " bytes";
        if (!done) return Result<std::string>::failure("ETIMEDOUT", "got " + got + " within " + ms(timeout));
        Result<std::string> end = *impl_->stream_end(sock);
        if (!end) return end;
        return Result<std::string>::failure(local_error::eof, "the stream ended after " + got);
    });
}

Result<std::string> BlockingClient::read_to_eof(uint32_t sock, Duration timeout) {
    auto ended = [&] {
        impl_->credit_up_to(sock, SIZE_MAX);
        return impl_->stream_end(sock).has_value();
    };
    const bool done = impl_->wait_for(ended, timeout);
    return impl_->on_io([&]() -> Result<std::string> {
        if (!done)
            return Result<std::string>::failure("ETIMEDOUT", "no eof within " + ms(timeout) + " (" +
                                                                 std::to_string(impl_->inboxes[sock].size()) +
                                                                 " bytes buffered)");
        Result<std::string> end = *impl_->stream_end(sock);
        if (!end) return end;
        return impl_->take(sock, SIZE_MAX);
    });
}

size_t BlockingClient::available(uint32_t sock) const {
    return impl_->on_io([&] {
        auto it = impl_->inboxes.find(sock);
        return it == impl_->inboxes.end() ? size_t(0) : it->second.size();
    });
}

Status BlockingClient::wait_eof(uint32_t sock, Duration timeout) {
    auto ended = [&] {
        const SocketInfo* s = impl_->client->socket(sock);
        return !s || s->eof_received || s->state != SocketState::open;
    };
    const bool done = impl_->wait_for(ended, timeout);
    return impl_->on_io([&]() -> Status {
        const SocketInfo* s = impl_->client->socket(sock);
        if (!s) return Status::failure("EBADF", "unknown socket " + std::to_string(sock));
        if (s->eof_received) return Done{};
        if (!done) return Status::failure("ETIMEDOUT", "no eof within " + ms(timeout));
        if (s->close_error) return *s->close_error;
        return Status::failure("ENOTCONN", "socket " + std::to_string(sock) + " closed without eof");
    });
}

Result<std::optional<ErrorInfo>> BlockingClient::wait_closed(uint32_t sock, Duration timeout) {
    using R = Result<std::optional<ErrorInfo>>;
    auto closed = [&] {
        const SocketInfo* s = impl_->client->socket(sock);
        return !s || s->state == SocketState::closed;
    };
    const bool done = impl_->wait_for(closed, timeout);
    return impl_->on_io([&]() -> R {
        const SocketInfo* s = impl_->client->socket(sock);
        if (!s) return R::failure("EBADF", "unknown socket " + std::to_string(sock));
        if (!done) return R::failure("ETIMEDOUT", "still open after " + ms(timeout));
        return s->close_error;
    });
}

Result<proto::AcceptEvent> BlockingClient::wait_accept(uint32_t listener, Duration timeout) {
    using R = Result<proto::AcceptEvent>;
    auto ready = [&] {
        const SocketInfo* s = impl_->client->socket(listener);
        return !impl_->accepts[listener].empty() || !s || !s->is_open();
    };
    impl_->wait_for(ready, timeout);
    return impl_->on_io([&]() -> R {
        auto& queue = impl_->accepts[listener];
        if (!queue.empty()) {
            proto::AcceptEvent e = queue.front();
            queue.pop_front();
            return e;
        }
        const SocketInfo* s = impl_->client->socket(listener);
        if (!s) return R::failure("EBADF", "unknown listener " + std::to_string(listener));
        if (!s->is_open()) {
            if (s->close_error) return *s->close_error;
            return R::failure("EBADF", "listener " + std::to_string(listener) + " is closed");
        }
        return R::failure("ETIMEDOUT", "no connection within " + ms(timeout));
    });
}

// ---------------------------------------------------------------- UDP

Status BlockingClient::send_to(uint32_t sock, const std::string& addr, uint16_t port, std::string_view payload) {
    return impl_->on_io([&] { return impl_->client->send_to(sock, addr, port, payload); });
}

Result<Datagram> BlockingClient::recv_from(uint32_t sock, Duration timeout) {
    using R = Result<Datagram>;
    auto ready = [&] {
        const SocketInfo* s = impl_->client->socket(sock);
        return !impl_->datagrams[sock].empty() || !s || s->state == SocketState::closed;
    };
    impl_->wait_for(ready, timeout);
    return impl_->on_io([&]() -> R {
        auto& queue = impl_->datagrams[sock];
        if (!queue.empty()) {
            Datagram d = std::move(queue.front());
            queue.pop_front();
            return d;
        }
        const SocketInfo* s = impl_->client->socket(sock);
        if (!s) return R::failure("EBADF", "unknown socket " + std::to_string(sock));
        if (s->state == SocketState::closed) {
            if (s->close_error) return *s->close_error;
            return R::failure("EBADF", "socket " + std::to_string(sock) + " is closed");
        }
        return R::failure("ETIMEDOUT", "no datagram within " + ms(timeout));
    });
}

// ---------------------------------------------------------------- stalling

void BlockingClient::pause_reading() {
    impl_->on_io([this] { impl_->native->pause_reading(); });
}

void BlockingClient::resume_reading() {
    impl_->on_io([this] { impl_->native->resume_reading(); });
}

// ---------------------------------------------------------------- raw and observation

void BlockingClient::send_raw_text(std::string text) {
    impl_->on_io([&] { impl_->client->send_raw_text(std::move(text)); });
}

void BlockingClient::send_raw_binary(std::string bytes) {
    impl_->on_io([&] { impl_->client->send_raw_binary(std::move(bytes)); });
}

std::vector<proto::ErrorEvent> BlockingClient::error_events() const {
    return impl_->on_io([this] { return impl_->errors; });
}

Result<proto::ErrorEvent> BlockingClient::wait_error(Duration timeout) {
    auto ready = [&] { return impl_->errors.size() > impl_->errors_returned || impl_->session_ended(); };
    impl_->wait_for(ready, timeout);
    return impl_->on_io([&]() -> Result<proto::ErrorEvent> {
        if (impl_->errors.size() > impl_->errors_returned) return impl_->errors[impl_->errors_returned++];
        if (impl_->session_ended())
            return Result<proto::ErrorEvent>::failure("ENOTCONN", "session closed without an error event");
        return Result<proto::ErrorEvent>::failure("ETIMEDOUT", "no error event within " + ms(timeout));
    });
}

std::vector<proto::ClosedEvent> BlockingClient::closed_events() const {
    return impl_->on_io([this] { return impl_->closed; });
}

std::vector<ErrorInfo> BlockingClient::bad_input() const {
    return impl_->on_io([this] { return impl_->bad_input; });
}

std::vector<std::string> BlockingClient::texts_received() const {
    return impl_->on_io([this] { return impl_->texts; });
}

std::optional<SessionClose> BlockingClient::session_close() const {
    return impl_->on_io([this] { return impl_->client->session_close(); });
}

TransportStatus BlockingClient::transport_status() const {
    return impl_->on_io([this] { return impl_->native->status(); });
}

std::optional<SocketInfo> BlockingClient::socket(uint32_t sock) const {
    return impl_->on_io([&]() -> std::optional<SocketInfo> {
        const SocketInfo* s = impl_->client->socket(sock);
        if (!s) return std::nullopt;
        return *s;
    });
}

// ---------------------------------------------------------------- waiting

bool BlockingClient::run_until(const std::function<bool()>& done, Duration timeout) {
    return impl_->wait_until(done, timeout);
}

bool BlockingClient::stays_true_for(const std::function<bool()>& holds, Duration quiet_period) {
    return !impl_->wait_until([&] { return !holds(); }, quiet_period);
}

void BlockingClient::run_for(Duration duration) { std::this_thread::sleep_for(duration); }

void BlockingClient::with_core(const std::function<void(Client&)>& fn) {
    impl_->on_io([&] { fn(*impl_->client); });
}

}  // namespace sockgate::client
