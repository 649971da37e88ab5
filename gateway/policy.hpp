// Deny-by-default access control: which destinations a session may reach and
// which local addresses it may listen or bind on.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocol/address.hpp"

namespace sockgate::gateway {

enum class Proto { tcp, udp, any };

struct Cidr {
    proto::IpAddress base;  // masked to prefix
    unsigned prefix = 0;
    bool contains(const proto::IpAddress& a) const;
    std::string to_string() const;  // "127.0.0.0/8"
};

struct PortRange {
    uint16_t first = 0, last = 65535;
    bool contains(uint16_t p) const { return p >= first && p <= last; }
    std::string to_string() const;  // "*", "80" or "1024-65535"
};

struct AllowRule {
    Proto proto = Proto::any;
    Cidr cidr;
    PortRange ports;
    std::string text;  // canonical form, e.g. "tcp:127.0.0.0/8:*"
};

struct BindRule {
    Cidr cidr;
    PortRange ports;
    std::string text;  // e.g. "127.0.0.0/8:1024-65535"
};

struct PolicyError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throw PolicyError with a message that names the bad part.
AllowRule parse_allow_rule(const std::string& text);  // PROTO:CIDR:PORTS
BindRule parse_bind_rule(const std::string& text);    // CIDR:PORTS
// A bare CIDR ("10.0.0.0/8", "::1", "[fd00::]/8"); `kind` names the flag in
// the message, as in "bad trust-proxy rule '...': ...".
Cidr parse_cidr_rule(const std::string& text, const std::string& kind);

struct Decision {
    bool allowed = false;
    std::string rule;    // the rule that allowed it, when allowed
    std::string reason;  // when denied: plain words, incl. the flag that would allow it
};

class Policy {
public:
    // Empty lists mean the defaults: destinations any:127.0.0.0/8:* and
    // any:::1/128:*; binding on 127.0.0.0/8 and ::1 ports 1024-65535.
    Policy(const std::vector<std::string>& allow, const std::vector<std::string>& bind_allow);

    Decision check_destination(Proto proto, const proto::IpAddress& addr, uint16_t port) const;
    // Port 0 (ephemeral) is allowed on any address some bind rule covers.
    Decision check_bind(const proto::IpAddress& addr, uint16_t port) const;

    const std::vector<AllowRule>& allow_rules() const { return allow_; }
    const std::vector<BindRule>& bind_rules() const { return bind_; }
    // One line per rule, plain words, for logs and the page.
    std::string describe() const;

private:
    std::vector<AllowRule> allow_;
    std::vector<BindRule> bind_;
};

}  // namespace sockgate::gateway
