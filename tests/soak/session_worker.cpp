#include "soak/session_worker.hpp"

#include <algorithm>
#include <cstring>
#include <thread>

#include "soak/payload.hpp"

namespace sockgate::soak {
namespace {

using client::BlockingClient;
using namespace std::chrono_literals;

// Opening (or reopening) a session may meet 503 while hostile clients hold
// the slots; it is retried this long.
constexpr auto kOpenDeadline = 30s;
// How long a burst of datagrams waits for its echoes before counting the
// missing ones as lost (UDP may drop by design).
constexpr auto kDatagramWait = 2s;
// Forget closed sockets in the client's table this often (operations).
constexpr uint64_t kForgetEvery = 500;

const char* kind_name(int kind) {
    static const char* names[] = {"empty", "echo", "reset-peer", "inbound", "udp"};
    return names[kind];
}

std::string be32(uint32_t n) { return {char(n >> 24), char(n >> 16), char(n >> 8), char(n)}; }

}  // namespace

SessionWorker::SessionWorker(const SessionEnvironment& env, int index)
    : env_(env),
      index_(index),
      rng_(mix(env.config.seed ^ mix(uint64_t(index) + 1))),
      slots_(size_t(env.config.sockets_per_session)) {}

void SessionWorker::run() {
    if (!open_session()) return;
    next_drop_ = next_after(env_.config.mean_drop_interval);
    next_pause_ = next_after(env_.config.mean_pause_interval);
    fill_all();
    while (!env_.stop) {
        if (!client_ || !client_->session_open()) {
            // No session after a drop, or one the gateway ended on its own.
            if (client_) env_.tally.fail(session_where("churn"), "the gateway ended the session unexpectedly");
            client_.reset();
            for (auto& s : slots_) s = Slot{};
            if (!open_session()) return;
            fill_all();
            continue;
        }
        churn_once();
        const auto now = Clock::now();
        if (now >= next_drop_) {
            drop_session();
            next_drop_ = next_after(env_.config.mean_drop_interval);
        } else if (now >= next_pause_) {
            pause_reading();
            next_pause_ = next_after(env_.config.mean_pause_interval);
        }
        if (++serial_ % kForgetEvery == 0 && client_) client_->with_core([](client::Client& c) { c.forget_closed(); });
    }
    end_session();
}

bool SessionWorker::open_session() {
    const auto deadline = Clock::now() + kOpenDeadline;
    client::ClientOptions options;
    options.manual_credit = true;  // a socket's unread data holds the gateway back, as in a browser
    while (!env_.stop) {
        auto c = std::make_unique<BlockingClient>(options);
        auto hello = c->start(env_.ws_url, {}, std::nullopt, env_.config.op_timeout);
        if (hello) {
            client_ = std::move(c);
            env_.tally.add(Count::sessions_opened);
            return true;
        }
        const bool refused = c->transport_status().error_code == "HTTP_503";
        if (!refused || Clock::now() >= deadline) {
            env_.tally.fail(session_where("open session"), hello.describe());
            return false;
        }
        env_.tally.add(Count::session_reopen_refused);
        std::this_thread::sleep_for(Ms(std::uniform_int_distribution<int>(50, 300)(rng_)));  // back off
    }
    return false;
}

void SessionWorker::end_session() {
    if (!client_) return;
    auto closed = client_->close_session(client::close_code::normal, "soak done", env_.config.op_timeout);
    if (!closed) env_.tally.fail(session_where("close session"), closed.describe());
    client_.reset();
}

void SessionWorker::fill_all() {
    for (size_t i = 0; i < slots_.size() && !env_.stop && client_->session_open(); ++i)
        if (slots_[i].kind == SlotKind::empty) open_slot(i);
}

void SessionWorker::churn_once() {
    const size_t i = std::uniform_int_distribution<size_t>(0, slots_.size() - 1)(rng_);
    const int roll = std::uniform_int_distribution<int>(0, 99)(rng_);
    switch (slots_[i].kind) {
        case SlotKind::empty:
            return open_slot(i);
        case SlotKind::echo:
        case SlotKind::inbound:
            if (roll < 60) return echo_round_trip(i);
            if (roll < 65) return slow_read(i);
            if (roll < 80) return half_close(i);
            return close_slot(i);
        case SlotKind::reset_peer:
            return reset(i);
        case SlotKind::udp:
            if (roll < 85) return datagrams(i);
            return close_slot(i);
    }
}

// ---------------------------------------------------------------- opening

void SessionWorker::open_slot(size_t i) {
    const int roll = std::uniform_int_distribution<int>(0, 99)(rng_);
    if (roll < 55)
        open_echo(i);
    else if (roll < 65)
        open_reset_peer(i);
    else if (roll < 80)
        open_inbound(i);
    else
        open_udp(i);
}

void SessionWorker::open_echo(size_t i) {
    const auto& ports = env_.peers.echo_ports();
    const uint16_t port = ports[std::uniform_int_distribution<size_t>(0, ports.size() - 1)(rng_)];
    auto s = client_->connect("127.0.0.1", port, env_.config.op_timeout);
    if (!s) return env_.tally.fail(where(i, "connect to echo"), s.describe());
    env_.tally.add(Count::connects);
    slots_[i] = {SlotKind::echo, s->sock};
}

void SessionWorker::open_reset_peer(size_t i) {
    auto s = client_->connect("127.0.0.1", env_.peers.reset_port(), env_.config.op_timeout);
    if (!s) return env_.tally.fail(where(i, "connect to reset peer"), s.describe());
    env_.tally.add(Count::connects);
    slots_[i] = {SlotKind::reset_peer, s->sock};
}

void SessionWorker::open_inbound(size_t i) {
    auto l = client_->listen(std::string("127.0.0.1"), 0, env_.config.op_timeout);
    if (!l) return env_.tally.fail(where(i, "listen"), l.describe());
    env_.tally.add(Count::listens);
    env_.peers.connect_in(l->local.port);
    auto a = client_->wait_accept(l->sock, env_.config.op_timeout);
    auto closed = client_->close(l->sock, env_.config.op_timeout);
    if (!closed) env_.tally.fail(where(i, "close listener"), closed.describe());
    if (!a) return env_.tally.fail(where(i, "accept"), a.describe());
    env_.tally.add(Count::accepts);
    slots_[i] = {SlotKind::inbound, a->sock};
}

void SessionWorker::open_udp(size_t i) {
    auto s = client_->bind(std::string("127.0.0.1"), 0, env_.config.op_timeout);
    if (!s) return env_.tally.fail(where(i, "bind udp"), s.describe());
    env_.tally.add(Count::udp_binds);
    slots_[i] = {SlotKind::udp, s->sock};
}

// ---------------------------------------------------------------- TCP

std::string SessionWorker::send_payload(size_t i, size_t n, const char* op) {
    std::string data =
        payload_bytes(n, mix(env_.config.seed ^ (uint64_t(index_) << 40) ^ (uint64_t(i) << 24) ^ ++serial_));
    auto sent = client_->send(slots_[i].sock, data);
    if (!sent) {
        slot_failed(i, op, "send: " + sent.describe());
        return {};
    }
    return data;
}

bool SessionWorker::check(size_t i, const char* op, const std::string& sent, const std::string& got) {
    const StreamChecksum want = checksum_of(sent), have = checksum_of(got);
    if (want == have) {
        env_.tally.add(Count::bytes_checked, sent.size());
        return true;
    }
    slot_failed(i, op,
                "checksum mismatch: sent " + std::to_string(want.bytes()) + " bytes, got " +
                    std::to_string(have.bytes()) + ", first difference at byte " +
                    std::to_string(first_difference(sent, got)));
    return false;
}

size_t SessionWorker::random_size(size_t lo, size_t hi) { return std::uniform_int_distribution<size_t>(lo, hi)(rng_); }

void SessionWorker::echo_round_trip(size_t i) {
    const int roll = std::uniform_int_distribution<int>(0, 99)(rng_);
    const size_t n = roll < 70   ? random_size(1, 4096)
                     : roll < 95 ? random_size(4096, 65536)
                                 : random_size(65536, 512 * 1024);
    const std::string sent = send_payload(i, n, "echo");
    if (sent.empty()) return;
    auto back = client_->read_exactly(slots_[i].sock, n, env_.config.op_timeout);
    if (!back) return slot_failed(i, "echo", "read: " + back.describe());
    if (check(i, "echo", sent, *back)) env_.tally.add(Count::echo_round_trips);
}

void SessionWorker::slow_read(size_t i) {
    const size_t n = random_size(256 * 1024, 1024 * 1024);
    const std::string sent = send_payload(i, n, "slow read");
    if (sent.empty()) return;
    // A reader that takes its time: small reads with pauses, so the window,
    // not the reader, decides how much the gateway holds.
    std::string got;
    const auto deadline = Clock::now() + env_.config.op_timeout;
    while (got.size() < n) {
        if (Clock::now() >= deadline)
            return slot_failed(i, "slow read", "stalled after " + std::to_string(got.size()) + " bytes");
        auto r = client_->recv_some(slots_[i].sock, 16 * 1024, env_.config.op_timeout);
        if (!r) return slot_failed(i, "slow read", "after " + std::to_string(got.size()) + " bytes: " + r.describe());
        if (r->empty()) return slot_failed(i, "slow read", "eof after " + std::to_string(got.size()) + " bytes");
        got += *r;
        std::this_thread::sleep_for(2ms);
    }
    if (check(i, "slow read", sent, got)) env_.tally.add(Count::slow_reads);
}

void SessionWorker::half_close(size_t i) {
    const std::string sent = send_payload(i, random_size(1, 65536), "half-close");
    if (sent.empty()) return;
    const uint32_t sock = slots_[i].sock;
    auto shut = client_->shutdown(sock, env_.config.op_timeout);
    if (!shut) return slot_failed(i, "half-close", "shutdown: " + shut.describe());
    auto rest = client_->read_to_eof(sock, env_.config.op_timeout);
    if (!rest) return slot_failed(i, "half-close", "drain to eof: " + rest.describe());
    if (!check(i, "half-close", sent, *rest)) return;
    // Both sides have sent FIN: the gateway may already have ended the socket.
    auto closed = client_->close(sock, env_.config.op_timeout);
    if (!closed && closed.code() != "EBADF") return slot_failed(i, "half-close", "close: " + closed.describe());
    env_.tally.add(Count::half_closes);
    slots_[i] = Slot{};
}

void SessionWorker::close_slot(size_t i) {
    auto closed = client_->close(slots_[i].sock, env_.config.op_timeout);
    if (!closed) return slot_failed(i, "close", closed.describe());
    env_.tally.add(Count::closes);
    slots_[i] = Slot{};
}

void SessionWorker::reset(size_t i) {
    const uint32_t sock = slots_[i].sock;
    const size_t n = random_size(1, 65536);
    std::string data =
        payload_bytes(n, mix(env_.config.seed ^ (uint64_t(index_) << 40) ^ (uint64_t(i) << 24) ^ ++serial_));
    auto sent = client_->send(sock, be32(uint32_t(n)) + data);
    if (!sent) return slot_failed(i, "reset", "send: " + sent.describe());
    auto back = client_->read_exactly(sock, n, env_.config.op_timeout);
    if (!back) return slot_failed(i, "reset", "read: " + back.describe());
    if (!check(i, "reset", data, *back)) return;
    // Everything the peer sent has arrived; now it resets.
    auto trigger = client_->send(sock, "R");
    if (!trigger) return slot_failed(i, "reset", "send trigger: " + trigger.describe());
    auto closed = client_->wait_closed(sock, env_.config.op_timeout);
    if (!closed) return slot_failed(i, "reset", "no closed event: " + closed.describe());
    slots_[i] = Slot{};
    if (!closed->has_value()) return env_.tally.fail(where(i, "reset"), "closed without an error after the peer reset");
    const std::string code = (*closed)->code;
    if (code != "ECONNRESET" && code != "EPIPE")
        return env_.tally.fail(where(i, "reset"), "closed with " + code + " after the peer reset");
    env_.tally.add(Count::resets);
}

// ---------------------------------------------------------------- UDP

void SessionWorker::datagrams(size_t i) {
    const uint32_t sock = slots_[i].sock;
    const size_t burst = random_size(1, 8);
    for (size_t k = 0; k < burst; ++k) {
        // Each datagram names its own seed in its first 8 bytes, so any one
        // that arrives can be checked on its own, in any order.
        const uint64_t seed = mix(env_.config.seed ^ (uint64_t(index_) << 40) ^ (uint64_t(i) << 24) ^ ++serial_);
        std::string d(reinterpret_cast<const char*>(&seed), 8);
        d += payload_bytes(random_size(0, 1400), seed);
        auto sent = client_->send_to(sock, "127.0.0.1", env_.peers.udp_echo_port(), d);
        if (!sent) return slot_failed(i, "udp send", sent.describe());
        env_.tally.add(Count::datagrams_sent);
    }
    size_t received = 0;
    const auto deadline = Clock::now() + kDatagramWait;
    while (received < burst) {
        const auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
        if (left <= Ms(0)) break;
        auto r = client_->recv_from(sock, left);
        if (!r) {
            if (r.code() == "ETIMEDOUT") break;
            return slot_failed(i, "udp receive", r.describe());
        }
        uint64_t seed = 0;
        if (r->payload.size() < 8 || r->from.port != env_.peers.udp_echo_port())
            return slot_failed(i, "udp receive",
                               "a datagram of " + std::to_string(r->payload.size()) + " bytes from port " +
                                   std::to_string(r->from.port));
        std::memcpy(&seed, r->payload.data(), 8);
        const std::string body = r->payload.substr(8);
        if (!check(i, "udp receive", payload_bytes(body.size(), seed), body)) return;
        ++received;
    }
    env_.tally.add(Count::datagrams_received, received);
    env_.tally.add(Count::datagrams_lost, burst - received);
}

// ---------------------------------------------------------------- session-wide

void SessionWorker::drop_session() {
    // Leave data in flight on a few sockets, then end the session under them.
    int in_flight = 0;
    for (size_t i = 0; i < slots_.size() && in_flight < 4; ++i)
        if (slots_[i].kind == SlotKind::echo && client_->send(slots_[i].sock, payload_bytes(65536, serial_++)))
            ++in_flight;
    client_.reset();
    env_.tally.add(Count::session_drops);
    for (auto& s : slots_) s = Slot{};
    // run() opens the next session.
}

void SessionWorker::pause_reading() {
    std::vector<std::pair<size_t, std::string>> pending;
    for (size_t i = 0; i < slots_.size() && pending.size() < 8; ++i) {
        if (slots_[i].kind != SlotKind::echo && slots_[i].kind != SlotKind::inbound) continue;
        std::string sent = send_payload(i, 128 * 1024, "pause");
        if (!sent.empty()) pending.emplace_back(i, std::move(sent));
    }
    // A browser tab too busy to read its WebSocket for a while.
    client_->pause_reading();
    std::this_thread::sleep_for(Ms(std::uniform_int_distribution<int>(200, 1500)(rng_)));
    client_->resume_reading();
    env_.tally.add(Count::session_pauses);
    for (auto& [i, sent] : pending) {
        if (slots_[i].kind == SlotKind::empty) continue;
        auto back = client_->read_exactly(slots_[i].sock, sent.size(), env_.config.op_timeout);
        if (!back) {
            slot_failed(i, "pause", "read after resuming: " + back.describe());
            continue;
        }
        if (check(i, "pause", sent, *back)) env_.tally.add(Count::echo_round_trips);
    }
}

// ---------------------------------------------------------------- helpers

void SessionWorker::slot_failed(size_t i, const char* op, const std::string& what) {
    env_.tally.fail(where(i, op), what);
    if (slots_[i].kind != SlotKind::empty && client_ && client_->session_open())
        (void)client_->close(slots_[i].sock, env_.config.op_timeout);
    slots_[i] = Slot{};
}

std::string SessionWorker::where(size_t i, const char* op) const {
    std::string s = "session " + std::to_string(index_) + " slot " + std::to_string(i);
    if (i < slots_.size() && slots_[i].kind != SlotKind::empty)
        s += std::string(" (") + kind_name(int(slots_[i].kind)) + " sock " + std::to_string(slots_[i].sock) + ")";
    return s + " " + op;
}

std::string SessionWorker::session_where(const char* op) const {
    return "session " + std::to_string(index_) + " " + op;
}

SessionWorker::Clock::time_point SessionWorker::next_after(Ms mean) {
    std::exponential_distribution<double> d(1.0 / double(mean.count()));
    return Clock::now() + Ms(int64_t(d(rng_)));
}

}  // namespace sockgate::soak
