#include "gateway/tcp_connector.hpp"

#include <algorithm>

namespace sockgate::gateway {
namespace {

bool any_rule_covers(const Policy& policy, const proto::IpAddress& ip) {
    for (const auto& rule : policy.allow_rules())
        if (rule.cidr.contains(ip)) return true;
    return false;
}

}  // namespace

AllowedAddresses filter_by_policy(const Policy& policy, const std::vector<asio::ip::address>& resolved,
                                  const std::string& host, int port) {
    AllowedAddresses out;
    if (resolved.empty()) {
        out.error = proto::ErrorInfo{proto::kEaiNoname, "no addresses for " + host};
        return out;
    }
    std::string first_reason;
    for (const auto& a : resolved) {
        const proto::IpAddress ip = to_ip(a);
        bool ok = false;
        if (port >= 0) {
            const Decision d = policy.check_destination(Proto::tcp, ip, uint16_t(port));
            ok = d.allowed;
            if (!ok && first_reason.empty()) first_reason = d.reason;
        } else {
            ok = any_rule_covers(policy, ip);
            if (!ok && first_reason.empty()) first_reason = a.to_string() + " is not covered by any --allow rule";
        }
        if (ok) {
            out.allowed.push_back(a);
        } else {
            ++out.denied;
        }
    }
    if (out.allowed.empty()) {
        std::string message = first_reason;
        if (resolved.size() > 1 || resolved.front().to_string() != host)
            message += " (" + host + " resolved to " + std::to_string(resolved.size()) + " address" +
                       (resolved.size() == 1 ? "" : "es") + ", none allowed)";
        out.error = proto::ErrorInfo{"EACCES", message};
    }
    return out;
}

TcpConnector::TcpConnector(asio::io_context& io, const Policy& policy, Metrics& metrics, HostLookup& lookup)
    : policy_(policy), metrics_(metrics), lookup_(lookup), socket_(io), timer_(io) {}

void TcpConnector::start(const std::string& host, uint16_t port, std::chrono::milliseconds timeout,
                         std::shared_ptr<LookupSlots> slots, Done done, std::chrono::steady_clock::duration delay) {
    host_ = host;
    port_ = port;
    timeout_ = timeout;
    done_ = std::move(done);
    deadline_ = std::chrono::steady_clock::now() + timeout_;
    connect_at_ = std::chrono::steady_clock::now() + delay;
    if (auto numeric = numeric_host(host_)) {
        // Posted rather than called, so a reply never overtakes the request's own handling.
        asio::post(socket_.get_executor(),
                   [self = shared_from_this(), r = std::move(*numeric)]() mutable { self->on_resolve(std::move(r)); });
        return;
    }
    lookup_request_ = lookup_.start(host_, deadline_, std::move(slots),
                                    [self = shared_from_this()](LookupResult r) { self->on_resolve(std::move(r)); });
}

void TcpConnector::on_resolve(LookupResult result) {
    if (!done_) return;
    lookup_request_.reset();
    if (result.timed_out) {
        finish(proto::ErrorInfo{
            "ETIMEDOUT", "resolving " + host_ + " took longer than " + std::to_string(timeout_.count()) + " ms"});
        return;
    }
    if (result.error) {
        finish(error_info(result.error, "resolve " + host_));
        return;
    }
    AllowedAddresses a = filter_by_policy(policy_, result.addresses, host_, port_);
    if (a.allowed.empty() && a.denied > 0) ++metrics_.denied_by_policy;
    if (a.error) {
        finish(a.error);
        return;
    }
    for (const auto& addr : a.allowed) endpoints_.emplace_back(addr, port_);
    if (std::chrono::steady_clock::now() < connect_at_) {
        // The caller made sure this wait ends before the deadline.
        timer_.expires_at(connect_at_);
        timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
            if (ec || !self->done_) return;
            self->do_connect();
        });
        return;
    }
    do_connect();
}

void TcpConnector::do_connect() {
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
        if (ec || !self->done_) return;
        self->timed_out_ = true;
        asio::error_code ignored;
        self->socket_.close(ignored);
    });
    asio::async_connect(socket_, endpoints_,
                        [self = shared_from_this()](const asio::error_code& cec, const asio::ip::tcp::endpoint&) {
                            self->on_connect(cec);
                        });
}

void TcpConnector::on_connect(const asio::error_code& ec) {
    if (!done_) return;
    if (timed_out_) {
        finish(proto::ErrorInfo{"ETIMEDOUT", "connect to " + host_ + " port " + std::to_string(port_) +
                                                 " timed out after " + std::to_string(timeout_.count()) + " ms"});
        return;
    }
    if (ec) {
        finish(error_info(ec, "connect to " + host_ + " port " + std::to_string(port_)));
        return;
    }
    finish(std::nullopt);
}

void TcpConnector::finish(std::optional<proto::ErrorInfo> error) {
    timer_.cancel();
    Done done = std::move(done_);
    done_ = nullptr;
    if (error) {
        asio::error_code ignored;
        socket_.close(ignored);
        done(std::move(error), asio::ip::tcp::socket(socket_.get_executor()));
    } else {
        done(std::nullopt, std::move(socket_));
    }
}

void TcpConnector::cancel() {
    done_ = nullptr;
    timer_.cancel();
    if (lookup_request_) lookup_request_->cancel();
    lookup_request_.reset();
    asio::error_code ignored;
    socket_.close(ignored);
}

void HostResolver::start(const std::string& host, std::chrono::milliseconds timeout, std::shared_ptr<LookupSlots> slots,
                         Done done) {
    host_ = host;
    timeout_ = timeout;
    done_ = std::move(done);
    if (auto numeric = numeric_host(host_)) {
        asio::post(io_,
                   [self = shared_from_this(), r = std::move(*numeric)]() mutable { self->on_resolve(std::move(r)); });
        return;
    }
    lookup_request_ = lookup_.start(host_, std::chrono::steady_clock::now() + timeout_, std::move(slots),
                                    [self = shared_from_this()](LookupResult r) { self->on_resolve(std::move(r)); });
}

void HostResolver::on_resolve(LookupResult result) {
    if (!done_) return;
    lookup_request_.reset();
    Done done = std::move(done_);
    done_ = nullptr;
    AllowedAddresses out;
    if (result.timed_out) {
        out.error = proto::ErrorInfo{"ETIMEDOUT", "resolving " + host_ + " took longer than " +
                                                      std::to_string(timeout_.count()) +
                                                      " ms (gateway flag --resolve-timeout-ms)"};
    } else if (result.error) {
        out.error = error_info(result.error, "resolve " + host_);
    } else {
        out = filter_by_policy(policy_, result.addresses, host_, -1);
    }
    done(std::move(out));
}

void HostResolver::cancel() {
    done_ = nullptr;
    if (lookup_request_) lookup_request_->cancel();
    lookup_request_.reset();
}

}  // namespace sockgate::gateway
