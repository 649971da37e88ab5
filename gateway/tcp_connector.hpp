// Resolves a destination, keeps only the addresses the policy allows and
// connects to exactly those (no second lookup, so no DNS-rebinding bypass),
// within a time limit.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/channel.hpp"
#include "gateway/host_lookup.hpp"

namespace sockgate::gateway {

// Resolution shared by connect and resolve: the policy-allowed addresses, or
// an error (EAI_NONAME, EAI_AGAIN, EACCES with the policy's reason).
struct AllowedAddresses {
    std::vector<asio::ip::address> allowed;
    std::optional<proto::ErrorInfo> error;
    size_t denied = 0;
};

// Filters resolved addresses. `port` < 0 means "any port and protocol" (for
// the resolve op); otherwise checks TCP to that port.
AllowedAddresses filter_by_policy(const Policy& policy, const std::vector<asio::ip::address>& resolved,
                                  const std::string& host, int port);

class TcpConnector : public std::enable_shared_from_this<TcpConnector> {
public:
    // Called once, unless cancelled: a connected socket or an error.
    using Done = std::function<void(std::optional<proto::ErrorInfo>, asio::ip::tcp::socket)>;

    TcpConnector(asio::io_context& io, const Policy& policy, Metrics& metrics, HostLookup& lookup);
    // A name takes one of `slots` until its lookup ends; a numeric host
    // takes none and waits for no lookup. The connection attempt itself
    // waits until `delay` (a rate limit's) has passed. `timeout` covers it all.
    void start(const std::string& host, uint16_t port, std::chrono::milliseconds timeout,
               std::shared_ptr<LookupSlots> slots, Done done,
               std::chrono::steady_clock::duration delay = std::chrono::steady_clock::duration::zero());
    void cancel();

private:
    void do_connect();
    void on_resolve(LookupResult result);
    void on_connect(const asio::error_code& ec);
    void finish(std::optional<proto::ErrorInfo> error);

    const Policy& policy_;
    Metrics& metrics_;
    HostLookup& lookup_;
    std::shared_ptr<HostLookup::Request> lookup_request_;
    asio::ip::tcp::socket socket_;
    asio::steady_timer timer_;
    std::string host_;
    uint16_t port_ = 0;
    std::chrono::milliseconds timeout_{0};
    std::chrono::steady_clock::time_point deadline_;
    std::chrono::steady_clock::time_point connect_at_;
    std::vector<asio::ip::tcp::endpoint> endpoints_;
    Done done_;
    bool timed_out_ = false;
};

// The resolve op: numeric hosts at once, names through the lookup pool
// within `timeout`.
class HostResolver : public std::enable_shared_from_this<HostResolver> {
public:
    using Done = std::function<void(AllowedAddresses)>;
    HostResolver(asio::io_context& io, const Policy& policy, HostLookup& lookup)
        : io_(io), policy_(policy), lookup_(lookup) {}
    void start(const std::string& host, std::chrono::milliseconds timeout, std::shared_ptr<LookupSlots> slots,
               Done done);
    void cancel();

private:
    void on_resolve(LookupResult result);

    asio::io_context& io_;
    const Policy& policy_;
    HostLookup& lookup_;
    std::shared_ptr<HostLookup::Request> lookup_request_;
    std::string host_;
    std::chrono::milliseconds timeout_{0};
    Done done_;
};

}  // namespace sockgate::gateway
