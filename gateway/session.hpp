// One browser session: the protocol state machine behind one WebSocket, and
// the sockets it owns. Lives on the gateway's io_context thread.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "gateway/channel.hpp"
#include "gateway/wire_sink.hpp"
#include "protocol/frame.hpp"
#include "protocol/messages.hpp"

namespace sockgate::gateway {

class TcpConnector;
class HostResolver;
class HostLookup;
struct LookupSlots;
class TcpStream;

class Session : public SessionLink, public std::enable_shared_from_this<Session> {
public:
    Session(asio::io_context& io, const Options& options, const Policy& policy, Metrics& metrics, HostLookup& lookup,
            std::unique_ptr<WireSink> sink, std::string id);
    ~Session() override;

    const std::string& id() const { return id_; }
    // Arms the hello deadline; call once the WebSocket is open.
    void start();
    void on_text(const std::string& text);
    // Takes the message buffer: stream payloads are queued without a copy.
    void on_binary(std::string&& payload);
    // The WebSocket is gone: close every socket now.
    void terminate();
    // Sockets open now; once terminated, how many the end closed.
    uint64_t queued_total() const { return sink_->queued_total(); }
    size_t socket_count() const { return terminated_ ? closed_at_end_ : channels_.size() + connecting_.size(); }

    // SessionLink
    void send_frame(const uint8_t* data, size_t size) override;
    void send_text(const std::string& text) override;
    size_t wire_backlog() const override;
    void channel_failed(uint32_t sock, const proto::ErrorInfo& error) override;
    void channel_accepted(uint32_t listener, asio::ip::tcp::socket socket) override;
    void channel_error(uint32_t sock, const proto::ErrorInfo& error) override;
    TokenBucket& to_client_bytes() override { return to_client_bytes_; }
    TokenBucket& from_client_bytes() override { return from_client_bytes_; }
    const Options& options() const override { return options_; }
    const Policy& policy() const override { return policy_; }
    Metrics& metrics() override { return metrics_; }

private:
    void on_first_message(const std::string& text);
    void on_hello_deadline(const asio::error_code& ec);
    void dispatch(const proto::Envelope& env);
    void handle_hello(const proto::Envelope& env);
    void handle_connect(const proto::Envelope& env);
    void handle_listen(const proto::Envelope& env);
    void handle_bind(const proto::Envelope& env);
    void handle_shutdown(const proto::Envelope& env);
    void handle_close(const proto::Envelope& env);
    void handle_resolve(const proto::Envelope& env);

    void reply(const proto::Envelope& env, const nlohmann::json& result);
    void reply_error(const proto::Envelope& env, const proto::ErrorInfo& error);
    void send_error_event(const proto::ErrorInfo& error, std::optional<int64_t> id = std::nullopt,
                          std::optional<uint32_t> sock = std::nullopt);
    void protocol_violation(uint16_t close_code, const proto::ErrorInfo& error);

    // Throws ProtocolError(EMFILE) when another socket (or listener) would
    // exceed the session's limits.
    void check_socket_limit(bool listener) const;
    // Throws ProtocolError(EINVAL) for a connect or resolve host that no
    // resolver should see.
    void check_destination_host(const std::string& host, const char* op) const;
    // Throws ProtocolError(EAGAIN) when `host` is a name and the session's
    // lookups in flight are at their cap. Numeric hosts need no lookup.
    void check_lookup_limit(const std::string& host, const char* op) const;
    // How long a new connect must wait for the session's --rate-connects
    // budget; throws ProtocolError(EAGAIN) when that would outlast `timeout`.
    TokenBucket::Clock::duration connect_delay(std::chrono::milliseconds timeout);
    asio::ip::address local_address(const std::optional<std::string>& host) const;
    uint32_t next_sock() { return next_sock_++; }
    void add_channel(std::shared_ptr<Channel> channel);
    std::shared_ptr<Channel> remove_channel(uint32_t sock);
    std::shared_ptr<TcpStream> stream(uint32_t sock, const char* op);

    asio::io_context& io_;
    const Options& options_;
    const Policy& policy_;
    Metrics& metrics_;
    HostLookup& lookup_;
    std::unique_ptr<WireSink> sink_;
    const std::string id_;

    asio::steady_timer hello_timer_;
    TokenBucket to_client_bytes_;
    TokenBucket from_client_bytes_;
    TokenBucket connects_;
    bool hello_done_ = false;
    bool terminated_ = false;
    size_t closed_at_end_ = 0;
    uint32_t next_sock_ = 1;
    size_t listeners_ = 0;
    std::map<uint32_t, std::shared_ptr<Channel>> channels_;
    uint64_t next_pending_ = 0;  // keys in-flight lookups; client ids may repeat
    std::map<uint64_t, std::shared_ptr<TcpConnector>> connecting_;
    std::map<uint64_t, std::shared_ptr<HostResolver>> resolving_;
    // Shared with the lookups, which may outlive the session.
    std::shared_ptr<LookupSlots> lookup_slots_;
};

}  // namespace sockgate::gateway
