// One well-behaved session of the soak, on a thread of its own: it keeps up
// to sockets_per_session sockets open through the gateway and churns them
// (echo, slow reads, half-close, reset, listen/accept, UDP), drops and
// reopens the whole session now and then, and checks every byte it gets back.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "soak/peers.hpp"
#include "soak/soak_config.hpp"
#include "soak/tally.hpp"
#include "support/blocking_client.hpp"

namespace sockgate::soak {

struct SessionEnvironment {
    const SoakConfig& config;
    Tally& tally;
    Peers& peers;
    std::string ws_url;
    const std::atomic<bool>& stop;
};

class SessionWorker {
public:
    SessionWorker(const SessionEnvironment& env, int index);
    // Runs until env.stop, then closes the session.
    void run();

private:
    enum class SlotKind { empty, echo, reset_peer, inbound, udp };
    struct Slot {
        SlotKind kind = SlotKind::empty;
        uint32_t sock = 0;
    };
    using Clock = std::chrono::steady_clock;

    bool open_session();
    void end_session();
    void fill_all();
    void churn_once();

    // Opening a slot.
    void open_slot(size_t i);
    void open_echo(size_t i);
    void open_reset_peer(size_t i);
    void open_inbound(size_t i);
    void open_udp(size_t i);

    // Operations on an open slot; each leaves it open or empties it.
    void echo_round_trip(size_t i);
    void slow_read(size_t i);
    void half_close(size_t i);
    void close_slot(size_t i);
    void reset(size_t i);
    void datagrams(size_t i);

    // Session-wide operations.
    void drop_session();
    void pause_reading();

    // Sends a fresh payload of n bytes and returns it.
    std::string send_payload(size_t i, size_t n, const char* op);
    // True if `got` is `sent`; otherwise a failure naming the slot and op.
    bool check(size_t i, const char* op, const std::string& sent, const std::string& got);
    // A failure on slot i: recorded, and the slot abandoned.
    void slot_failed(size_t i, const char* op, const std::string& what);
    std::string where(size_t i, const char* op) const;
    std::string session_where(const char* op) const;
    size_t random_size(size_t lo, size_t hi);
    Clock::time_point next_after(Ms mean);

    SessionEnvironment env_;
    int index_;
    std::mt19937_64 rng_;
    uint64_t serial_ = 0;
    std::unique_ptr<client::BlockingClient> client_;
    std::vector<Slot> slots_;
    Clock::time_point next_drop_, next_pause_;
};

}  // namespace sockgate::soak
