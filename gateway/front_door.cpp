#include "gateway/front_door.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>

#include "gateway/fd_limit.hpp"

namespace sockgate::gateway {

struct ConnectionCounts {
    Metrics* metrics = nullptr;
    size_t handshakes = 0;
    std::map<std::string, uint32_t> pre_session_by_address;
    std::map<std::string, uint32_t> by_address;  // every stage, for the distinct-clients gauge

    void add(std::map<std::string, uint32_t>& counts, const std::string& address) { ++counts[address]; }
    void remove(std::map<std::string, uint32_t>& counts, const std::string& address) {
        auto it = counts.find(address);
        if (it != counts.end() && --it->second == 0) counts.erase(it);
    }
    void update_gauge() { metrics->client_addresses = by_address.size(); }
    std::unordered_map<const void*, ConnectionSlot*> by_key;
};

namespace {

// A 503 on a connection the gateway will not serve. The request is read and
// discarded after the answer so that closing does not reset the connection
// before the client has read why.
class Refusal : public std::enable_shared_from_this<Refusal> {
public:
    Refusal(asio::ip::tcp::socket socket, const std::string& why, std::function<void()> done)
        : socket_(std::move(socket)), timer_(socket_.get_executor()), done_(std::move(done)) {
        const std::string body = why + "\n";
        response_ =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: " +
            std::to_string(body.size()) + "\r\nRetry-After: 5\r\nConnection: close\r\n\r\n" + body;
    }

    void start() {
        timer_.expires_after(std::chrono::seconds(2));
        timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
            if (ec) return;
            self->finish();
        });
        asio::async_write(socket_, asio::buffer(response_),
                          [self = shared_from_this()](const asio::error_code& ec, size_t) { self->on_write(ec); });
    }

private:
    void on_write(const asio::error_code& ec) {
        if (ec) return finish();
        asio::error_code ignored;
        socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        do_drain();
    }
    void do_drain() {
        socket_.async_read_some(asio::buffer(scratch_),
                                [self = shared_from_this()](const asio::error_code& ec, size_t) {
                                    if (ec) return self->finish();
                                    self->do_drain();
                                });
    }
    void finish() {
        if (finished_) return;
        finished_ = true;
        timer_.cancel();
        asio::error_code ignored;
        socket_.close(ignored);
        if (done_) done_();
    }

    asio::ip::tcp::socket socket_;
    asio::steady_timer timer_;
    std::string response_;
    std::array<char, 4096> scratch_{};
    std::function<void()> done_;
    bool finished_ = false;
};

bool out_of_descriptors(const asio::error_code& ec) {
    return ec == asio::error::no_descriptors || ec.value() == ENFILE || ec == asio::error::no_buffer_space ||
           ec == asio::error::no_memory;
}

std::string client_address(const asio::ip::tcp::socket& socket) {
    asio::error_code ec;
    auto a = socket.remote_endpoint(ec).address();
    if (ec) return "?";
    if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    return a.to_string();
}

// Past this many refusals in progress, a connection is closed without an
// answer rather than holding yet another descriptor for its 503.
constexpr size_t kMaxRefusing = 64;

}  // namespace

// ---- slots ----

ConnectionSlot::ConnectionSlot(std::shared_ptr<ConnectionCounts> counts, std::string peer, bool via_proxy)
    : counts_(std::move(counts)), peer_(std::move(peer)), address_(peer_), via_proxy_(via_proxy) {
    ++counts_->metrics->connections;
    ++counts_->metrics->pre_session_connections;
    counts_->add(counts_->pre_session_by_address, address_);
    counts_->add(counts_->by_address, address_);
    counts_->update_gauge();
}

ConnectionSlot::~ConnectionSlot() {
    if (key_) counts_->by_key.erase(key_);
    --counts_->metrics->connections;
    set_stage(Stage::session);  // drops it from the pre-session counts, if still there
    counts_->remove(counts_->by_address, address_);
    counts_->update_gauge();
}

std::string ConnectionSlot::description() const {
    return address_ == peer_ ? address_ : address_ + " via proxy " + peer_;
}

void ConnectionSlot::set_address(const std::string& address) {
    if (address == address_) return;
    if (stage_ != Stage::session) {
        counts_->remove(counts_->pre_session_by_address, address_);
        counts_->add(counts_->pre_session_by_address, address);
    }
    counts_->remove(counts_->by_address, address_);
    counts_->add(counts_->by_address, address);
    counts_->update_gauge();
    address_ = address;
}

void ConnectionSlot::set_stage(Stage stage) {
    if (stage == stage_ || stage_ == Stage::session) return;
    if (stage_ == Stage::handshake) --counts_->handshakes;
    if (stage == Stage::handshake) ++counts_->handshakes;
    if (stage == Stage::session) {
        --counts_->metrics->pre_session_connections;
        counts_->remove(counts_->pre_session_by_address, address_);
    }
    stage_ = stage;
}

void ConnectionSlot::set_key(const void* key) {
    if (key_) counts_->by_key.erase(key_);
    key_ = key;
    if (key_) counts_->by_key[key_] = this;
}

// ---- the door ----

FrontDoor::FrontDoor(asio::io_context& io, const Options& options, Metrics& metrics, Adopt adopt)
    : io_(io),
      options_(options),
      trusted_(options.trust_proxy),
      metrics_(metrics),
      adopt_(std::move(adopt)),
      acceptor_(io),
      retry_timer_(io),
      counts_(std::make_shared<ConnectionCounts>()),
      tls_(!options.tls_cert.empty()) {
    counts_->metrics = &metrics_;
    open_reserve();
}

FrontDoor::~FrontDoor() {
    if (reserve_fd_ >= 0) ::close(reserve_fd_);
}

void FrontDoor::open_reserve() {
    if (reserve_fd_ < 0) reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void FrontDoor::listen(const asio::ip::tcp::endpoint& endpoint) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    // Out of descriptors, the door accepts with a plain call; it must not block.
    acceptor_.non_blocking(true);
}

void FrontDoor::start() { do_accept(); }

void FrontDoor::stop() {
    stopped_ = true;
    retry_timer_.cancel();
    asio::error_code ignored;
    acceptor_.close(ignored);
}

asio::ip::tcp::endpoint FrontDoor::local_endpoint() const {
    asio::error_code ec;
    return acceptor_.local_endpoint(ec);
}

size_t FrontDoor::handshakes() const { return counts_->handshakes; }

ConnectionSlot* FrontDoor::find(const void* key) const {
    auto it = counts_->by_key.find(key);
    return it == counts_->by_key.end() ? nullptr : it->second;
}

void FrontDoor::do_accept() {
    if (stopped_) return;
    acceptor_.async_accept(
        [this](const asio::error_code& ec, asio::ip::tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void FrontDoor::on_accept(const asio::error_code& ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopped_) return;
    if (out_of_descriptors(ec)) return on_out_of_descriptors();
    if (!ec) admit(std::move(socket));
    // Other errors (a client that reset before accept) concern that client only.
    do_accept();
}

void FrontDoor::do_accept_later() {
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([this](const asio::error_code& ec) {
        if (ec) return;
        do_accept();
    });
}

void FrontDoor::on_out_of_descriptors() {
    ++metrics_.connections_refused_fds;
    if (reserve_fd_ < 0) return do_accept_later();  // a refusal is using it; go on when it is back
    ::close(reserve_fd_);
    reserve_fd_ = -1;
    asio::ip::tcp::socket socket(io_);
    asio::error_code ec;
    acceptor_.accept(socket, ec);
    if (ec) {
        open_reserve();
        return do_accept_later();
    }
    refuse(std::move(socket),
           "the gateway has run out of file descriptors; try again later (operators: raise ulimit -n or lower "
           "--max-sessions)",
           [this] {
               open_reserve();
               do_accept();
           });
}

void FrontDoor::admit(asio::ip::tcp::socket socket) {
    const std::string address = client_address(socket);
    // A proxy's connections are many clients': each is held to the cap
    // once its headers say whose it is (identify).
    const bool via_proxy = trusted_.trusts(address);
    if (metrics_.pre_session_connections >= options_.max_http_connections) {
        ++metrics_.connections_refused_busy;
        return refuse(std::move(socket), "the gateway is busy: " + std::to_string(options_.max_http_connections) +
                                             " connections are waiting to be served (gateway flag "
                                             "--max-http-connections); try again shortly");
    }
    if (auto why = too_many_from(address); !via_proxy && !why.empty()) {
        ++metrics_.connections_refused_busy;
        return refuse(std::move(socket), why);
    }
    if (metrics_.fds_in_use() + kFdReserve / 2 >= metrics_.fd_limit) {
        ++metrics_.connections_refused_fds;
        return refuse(std::move(socket), "the gateway is short of file descriptors; try again later");
    }
    // A round trip makes the gateway send two small messages in a row (a
    // WINDOW grant, then the echoed DATA); with Nagle on, the second waits
    // for the client's delayed ACK of the first, up to 40 ms.
    asio::error_code ignored;
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    adopt_(std::move(socket), std::make_shared<ConnectionSlot>(counts_, address, via_proxy));
}

std::string FrontDoor::too_many_from(const std::string& address) const {
    auto it = counts_->pre_session_by_address.find(address);
    if (it == counts_->pre_session_by_address.end() || it->second < options_.max_connections_per_address) return "";
    return "too many connections from " + address + " at once (" +
           std::to_string(options_.max_connections_per_address) + ", gateway flag --max-connections-per-address)";
}

Identification FrontDoor::identify(ConnectionSlot& slot, const std::string& x_forwarded_for,
                                   const std::string& x_real_ip) {
    Identification out;
    if (slot.identified_) return out;
    slot.identified_ = true;
    const bool has_headers = !x_forwarded_for.empty() || !x_real_ip.empty();
    if (!slot.via_proxy()) {
        // Anyone can send these headers; only a trusted proxy's are believed.
        if (has_headers) ++metrics_.forwarded_untrusted;
        return out;
    }
    if (!has_headers) return out;  // the proxy's own request (a health check, say)
    const ClientAddress client = client_behind_proxy(trusted_, slot.peer(), x_forwarded_for, x_real_ip);
    if (!client.problem.empty()) {
        ++metrics_.forwarded_invalid;
        out.problem = client.problem;
    }
    if (!client.forwarded) return out;
    ++metrics_.forwarded_used;
    // The proxy's connection is counted under the proxy until now, and its
    // client may already hold the cap.
    if (auto why = too_many_from(client.address); !why.empty()) {
        ++metrics_.connections_refused_busy;
        out.refusal = why;
        return out;
    }
    slot.set_address(client.address);
    return out;
}

void FrontDoor::refuse(asio::ip::tcp::socket socket, const std::string& why, std::function<void()> done) {
    // Under TLS a plaintext 503 would reach the browser as a broken
    // handshake, and answering inside TLS would mean a handshake, a
    // certificate and its CPU for each connection turned away: the very
    // load being shed. The connection is closed instead; the metric that
    // sent it here has counted it all the same.
    if (tls_) {
        asio::error_code ignored;
        socket.close(ignored);
        if (done) done();
        return;
    }
    if (refusing_ >= kMaxRefusing && !done) {
        asio::error_code ignored;
        socket.close(ignored);
        return;
    }
    ++refusing_;
    ++metrics_.refusing;
    std::make_shared<Refusal>(std::move(socket), why, [this, done = std::move(done)] {
        --refusing_;
        --metrics_.refusing;
        if (done) done();
    })->start();
}

}  // namespace sockgate::gateway
