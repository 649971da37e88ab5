// The hostile clients of issue 10, each on a thread of its own, each
// repeating its misbehaviour until stopped and checking that the gateway
// answers it as documented (pause and close, 503, close 1008, error events).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "soak/peers.hpp"
#include "soak/soak_config.hpp"
#include "soak/tally.hpp"

namespace sockgate::soak {

// The gateway limits the hostile clients run into (the flags the soak
// starts the gateway with).
// The clients' names, for --hostile and the report.
extern const std::vector<std::string> kHostileNames;

struct GatewayLimits {
    uint32_t max_connections_per_address = 0;
    Ms hello_timeout{0};
    Ms outbound_stall{0};
};

class HostileClients {
public:
    HostileClients(Tally& tally, Peers& peers, uint16_t gateway_port, GatewayLimits limits,
                   const std::string& big_file_path, uint64_t seed);
    ~HostileClients();
    // Starts the clients named in `which` (names as in kHostileNames); all
    // of them when it is empty.
    void start(const std::vector<std::string>& which = {});
    void stop();

private:
    void non_reader();
    void upgrade_burst();
    void hoarder();
    void static_non_reader();
    void malformed();
    void abrupt_drop();
    // The gateway's count of sessions closed for not reading; -1 if unread.
    long long closed_for_not_reading() const;
    // Sleeps up to `d`, returning early (false) once stopped.
    bool pace(Ms d);

    Tally& tally_;
    Peers& peers_;
    uint16_t port_;
    GatewayLimits limits_;
    std::string big_file_;
    uint64_t seed_;
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
};

}  // namespace sockgate::soak
