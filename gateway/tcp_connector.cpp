#include "gateway/tcp_connector.hpp"

#include <algorithm>

namespace sockgate::gateway {
namespace {

std::vector<asio::ip::address> addresses_of(const asio::ip::tcp::resolver::results_type& results) {
    std::vector<asio::ip::address> out;
    for (const auto& r : results) {
        const auto a = unmap(r.endpoint().address());
        if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    }
    return out;
}

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
            if (!ok && first_reason.empty())
                first_reason = a.to_string() + " is not covered by any --allow rule";
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

TcpConnector::TcpConnector(asio::io_context& io, const Policy& policy, Metrics& metrics)
    : policy_(policy), metrics_(metrics), resolver_(io), socket_(io), timer_(io) {}

void TcpConnector::start(const std::string& host, uint16_t port, std::chrono::milliseconds timeout, Done done) {
    host_ = host;
    port_ = port;
    timeout_ = timeout;
    done_ = std::move(done);
    timer_.expires_after(timeout_);
    timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
        if (ec || !self->done_) return;
        self->timed_out_ = true;
        self->resolver_.cancel();
        asio::error_code ignored;
        self->socket_.close(ignored);
    });
    resolver_.async_resolve(host_, std::to_string(port_), asio::ip::resolver_base::numeric_service,
                            [self = shared_from_this()](const asio::error_code& ec,
                                                        const asio::ip::tcp::resolver::results_type& r) {
                                self->on_resolve(ec, r);
                            });
}

void TcpConnector::on_resolve(const asio::error_code& ec, const asio::ip::tcp::resolver::results_type& results) {
    if (!done_) return;
    if (timed_out_) {
        finish(proto::ErrorInfo{"ETIMEDOUT", "resolving " + host_ + " took longer than " +
                                                 std::to_string(timeout_.count()) + " ms"});
        return;
    }
    if (ec) {
        finish(error_info(ec, "resolve " + host_));
        return;
    }
    AllowedAddresses a = filter_by_policy(policy_, addresses_of(results), host_, port_);
    if (a.allowed.empty() && a.denied > 0) ++metrics_.denied_by_policy;
    if (a.error) {
        finish(a.error);
        return;
    }
    for (const auto& addr : a.allowed) endpoints_.emplace_back(addr, port_);
    asio::async_connect(socket_, endpoints_,
                        [self = shared_from_this()](const asio::error_code& cec, const asio::ip::tcp::endpoint&) {
                            self->on_connect(cec);
                        });
}

void TcpConnector::on_connect(const asio::error_code& ec) {
    if (!done_) return;
    if (timed_out_) {
        finish(proto::ErrorInfo{"ETIMEDOUT", "connect to " + host_ + " port " + std::to_string(port_) +
                                                 " timed out after " + std::to_string(timeout_.count()) +
                                                 " ms"});
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
    resolver_.cancel();
    asio::error_code ignored;
    socket_.close(ignored);
}

void HostResolver::start(const std::string& host, Done done) {
    host_ = host;
    done_ = std::move(done);
    resolver_.async_resolve(host_, "", [self = shared_from_this()](const asio::error_code& ec,
                                                                   const asio::ip::tcp::resolver::results_type& r) {
        if (!self->done_) return;
        Done d = std::move(self->done_);
        self->done_ = nullptr;
        if (ec) {
            AllowedAddresses out;
            out.error = error_info(ec, "resolve " + self->host_);
            d(std::move(out));
            return;
        }
        d(filter_by_policy(self->policy_, addresses_of(r), self->host_, -1));
    });
}

void HostResolver::cancel() {
    done_ = nullptr;
    resolver_.cancel();
}

}  // namespace sockgate::gateway
