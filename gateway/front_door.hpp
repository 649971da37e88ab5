// The gateway's listening socket. It accepts every browser connection, keeps
// count of those that are not sessions yet (HTTP requests, WebSocket
// handshakes), and turns away with a 503 what the gateway cannot serve: too
// many such connections in all or from one address, or no file descriptors
// left (under TLS it closes them instead). Only connections it admits reach
// websocketpp.
#pragma once

#include <asio.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "gateway/client_address.hpp"
#include "gateway/metrics.hpp"
#include "gateway/options.hpp"

namespace sockgate::gateway {

struct ConnectionCounts;

// One admitted connection's place in the counts. Whoever owns the
// connection holds it; the counts drop when it is destroyed.
class ConnectionSlot {
public:
    enum class Stage { http, handshake, session };

    // `peer` is the TCP peer's address; `via_proxy` when it is a trusted
    // proxy, whose headers will name the client.
    ConnectionSlot(std::shared_ptr<ConnectionCounts> counts, std::string peer, bool via_proxy);
    ~ConnectionSlot();
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;

    // The client: the TCP peer, or behind a trusted proxy the address its
    // headers gave, once FrontDoor::identify has read them.
    const std::string& address() const { return address_; }
    const std::string& peer() const { return peer_; }
    bool via_proxy() const { return via_proxy_; }
    // For logs: "203.0.113.7 via proxy 127.0.0.1", or just the address.
    std::string description() const;
    Stage stage() const { return stage_; }
    // http -> handshake once the upgrade is accepted, -> session once open.
    void set_stage(Stage stage);
    // Lets the owner find this slot again from its own connection object.
    void set_key(const void* key);

private:
    friend class FrontDoor;
    // Counts the connection under `address` from now on.
    void set_address(const std::string& address);

    std::shared_ptr<ConnectionCounts> counts_;
    std::string peer_;
    std::string address_;
    bool via_proxy_ = false;
    bool identified_ = false;
    Stage stage_ = Stage::http;
    const void* key_ = nullptr;
};

// What FrontDoor::identify found in a request's headers.
struct Identification {
    std::string refusal;  // why the connection must get a 503; empty to serve it
    std::string problem;  // a trusted proxy's header that could not be used, for the log; empty if none
};

class FrontDoor {
public:
    using Adopt = std::function<void(asio::ip::tcp::socket, std::shared_ptr<ConnectionSlot>)>;

    FrontDoor(asio::io_context& io, const Options& options, Metrics& metrics, Adopt adopt);
    ~FrontDoor();
    FrontDoor(const FrontDoor&) = delete;
    FrontDoor& operator=(const FrontDoor&) = delete;

    // Binds and listens; throws std::system_error when it cannot.
    void listen(const asio::ip::tcp::endpoint& endpoint);
    void start();
    void stop();
    asio::ip::tcp::endpoint local_endpoint() const;

    // Once a request's headers are read: behind a trusted proxy, the client
    // named by X-Forwarded-For or X-Real-IP becomes the slot's address and
    // is held to the per-address cap the proxy itself is exempt from.
    // From other peers the headers are ignored (and counted).
    Identification identify(ConnectionSlot& slot, const std::string& x_forwarded_for, const std::string& x_real_ip);

    // WebSocket handshakes accepted but not yet open: they will be sessions.
    size_t handshakes() const;
    ConnectionSlot* find(const void* key) const;

private:
    void do_accept();
    void on_accept(const asio::error_code& ec, asio::ip::tcp::socket socket);
    void on_out_of_descriptors();
    void do_accept_later();
    void admit(asio::ip::tcp::socket socket);
    // Answers 503 with `why` and closes once the client has had it; closes
    // at once under TLS.
    void refuse(asio::ip::tcp::socket socket, const std::string& why, std::function<void()> done = {});
    void open_reserve();
    std::string too_many_from(const std::string& address) const;

    asio::io_context& io_;
    const Options& options_;
    const TrustedProxies trusted_;
    Metrics& metrics_;
    Adopt adopt_;
    asio::ip::tcp::acceptor acceptor_;
    asio::steady_timer retry_timer_;
    std::shared_ptr<ConnectionCounts> counts_;
    // Held open so that, out of descriptors, one can be freed to accept a
    // connection and tell it why it is refused.
    int reserve_fd_ = -1;
    size_t refusing_ = 0;
    bool stopped_ = false;
    // Refusals are closes without a word under TLS (see refuse()).
    bool tls_ = false;
};

}  // namespace sockgate::gateway
