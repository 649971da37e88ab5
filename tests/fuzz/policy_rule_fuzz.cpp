// Policy rules (--allow PROTO:CIDR:PORTS, --bind-allow CIDR:PORTS) from the
// command line and the config file.
// Checks: only PolicyError escapes; a rule's canonical text (what the config
// keeps and Policy parses again at startup) parses to the same rule; a policy
// of accepted rules answers and describes itself.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gateway/policy.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace sockgate;
using namespace sockgate::gateway;

namespace {

bool same(const Cidr& a, const Cidr& b) { return a.base == b.base && a.prefix == b.prefix; }
bool same(const PortRange& a, const PortRange& b) { return a.first == b.first && a.last == b.last; }

// An address and a port taken from the input's bytes, to ask the policy about.
proto::IpAddress address_from(const std::string& s, size_t salt) {
    proto::IpAddress a;
    a.family = (s.size() + salt) % 2 ? 6 : 4;
    for (size_t i = 0; i < a.bytes.size() && i < s.size(); ++i) a.bytes[i] = uint8_t(s[(i + salt) % s.size()]);
    if (a.family == 4) std::fill(a.bytes.begin() + 4, a.bytes.end(), 0);
    return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 4096) return 0;
    const std::string text(reinterpret_cast<const char*>(data), size);

    std::vector<std::string> allow, bind;
    try {
        const AllowRule rule = parse_allow_rule(text);
        const AllowRule again = parse_allow_rule(rule.text);
        FUZZ_CHECK(again.text == rule.text && again.proto == rule.proto && same(again.cidr, rule.cidr) &&
                       same(again.ports, rule.ports),
                   "allow rule '%s' -> '%s' -> '%s'", text.c_str(), rule.text.c_str(), again.text.c_str());
        FUZZ_CHECK(rule.cidr.prefix <= (rule.cidr.base.family == 4 ? 32u : 128u), "prefix %u", rule.cidr.prefix);
        FUZZ_CHECK(rule.cidr.contains(rule.cidr.base), "%s does not contain its base", rule.cidr.to_string().c_str());
        allow.push_back(rule.text);
    } catch (const PolicyError& e) {
        FUZZ_CHECK(std::string(e.what()).find("allow") != std::string::npos, "message: %s", e.what());
    }
    try {
        const BindRule rule = parse_bind_rule(text);
        const BindRule again = parse_bind_rule(rule.text);
        FUZZ_CHECK(again.text == rule.text && same(again.cidr, rule.cidr) && same(again.ports, rule.ports),
                   "bind rule '%s' -> '%s' -> '%s'", text.c_str(), rule.text.c_str(), again.text.c_str());
        bind.push_back(rule.text);
    } catch (const PolicyError& e) {
        FUZZ_CHECK(std::string(e.what()).find("bind-allow") != std::string::npos, "message: %s", e.what());
    }

    // Canonical texts must build a policy: startup parses them again.
    const Policy policy(allow, bind);
    for (size_t salt = 0; salt < 3 && size > 0; ++salt) {
        const auto addr = address_from(text, salt);
        const uint16_t port = uint16_t(size * 257 + salt);
        const Decision d = policy.check_destination(Proto(salt % 3), addr, port);
        FUZZ_CHECK(d.allowed || !d.reason.empty(), "denied without a reason");
        (void)policy.check_bind(addr, port);
    }
    if (!allow.empty()) {
        const Decision d = policy.check_destination(Proto::any, policy.allow_rules()[0].cidr.base,
                                                    policy.allow_rules()[0].ports.first);
        FUZZ_CHECK(d.allowed || policy.allow_rules()[0].proto != Proto::any, "a rule does not allow its own base");
    }
    (void)policy.describe();
    return 0;
}
