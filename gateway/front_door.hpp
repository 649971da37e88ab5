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

#include "gateway/metrics.hpp"
#include "gateway/options.hpp"

namespace sockgate::gateway {

struct ConnectionCounts;

// One admitted connection's place in the counts. Whoever owns the
// connection holds it; the counts drop when it is destroyed.
class ConnectionSlot {
public:
    enum class Stage { http, handshake, session };

    ConnectionSlot(std::shared_ptr<ConnectionCounts> counts, std::string address);
    ~ConnectionSlot();
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;

    const std::string& address() const { return address_; }
    Stage stage() const { return stage_; }
    // http -> handshake once the upgrade is accepted, -> session once open.
    void set_stage(Stage stage);
    // Lets the owner find this slot again from its own connection object.
    void set_key(const void* key);

private:
    std::shared_ptr<ConnectionCounts> counts_;
    std::string address_;
    Stage stage_ = Stage::http;
    const void* key_ = nullptr;
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

    asio::io_context& io_;
    const Options& options_;
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
