// Who a browser connection is from. Behind a reverse proxy every connection
// comes from the proxy, so per-address limits would treat a whole class as
// one client and logs would name only the proxy. With --trust-proxy the
// gateway takes the client's address from the header the proxy adds, but
// only when the connection comes from one of those ranges: from anyone else
// the header is a claim anybody could make, and it is ignored.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/policy.hpp"
#include "protocol/address.hpp"

namespace sockgate::gateway {

class TrustedProxies {
public:
    TrustedProxies() = default;
    // CIDRs as --trust-proxy takes them; throws PolicyError naming a bad one.
    explicit TrustedProxies(const std::vector<std::string>& cidrs);

    bool empty() const { return ranges_.empty(); }
    bool trusts(const proto::IpAddress& address) const;
    // Numeric text, as client_address() gives it; false for anything else.
    bool trusts(const std::string& address) const;

private:
    std::vector<Cidr> ranges_;
};

struct ClientAddress {
    std::string address;     // the one limits, logs and metrics count
    bool forwarded = false;  // taken from a proxy's header rather than the TCP peer
    std::string problem;     // a header entry that could not be used, in words; empty if none
};

// The client behind `peer`, a proxy the caller has checked is trusted.
// X-Forwarded-For is read from its right end, where the nearest proxy added
// its peer, leftwards past every trusted proxy: the first address outside
// the trusted ranges is the client, and whatever lies to its left is the
// client's own claim, not believed. Without X-Forwarded-For, X-Real-IP (one
// address) is used the same way. An entry that is not an IP address stops
// the walk at the last good hop and is reported in `problem`. Header values
// are as received ("" when absent); repeated headers arrive joined by commas.
ClientAddress client_behind_proxy(const TrustedProxies& trusted, const std::string& peer,
                                  const std::string& x_forwarded_for, const std::string& x_real_ip);

}  // namespace sockgate::gateway
