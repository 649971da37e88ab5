// The workloads' traffic, written against Stream and DatagramPort so the
// very same code drives the direct path and the relay path.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <asio/steady_timer.hpp>

#include "bench/event_loop.hpp"
#include "bench/path.hpp"
#include "bench/payload.hpp"

namespace sockgate::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

// Pushes `total` bytes of the pattern through a stream in `chunk`-sized
// writes, as fast as the stream takes them, and checksums the echo.
class EchoTransfer final : public StreamSink {
public:
    EchoTransfer(EventLoop& loop, Stream& stream, const PatternSource& pattern, uint64_t total, size_t chunk,
                 std::function<void()> done);
    void start();

    // The checksum the echo must have, computed without sending anything.
    static uint64_t expected_checksum(const PatternSource& pattern, uint64_t total, size_t chunk);

    uint64_t received() const { return echo_.bytes(); }
    uint64_t checksum() const { return echo_.value(); }
    double seconds() const { return seconds_between(started_, finished_); }

private:
    void on_stream_data(std::string_view bytes) override;
    void on_stream_ready() override { pump(); }
    void pump();

    EventLoop& loop_;
    Stream& stream_;
    const PatternSource& pattern_;
    uint64_t total_;
    size_t chunk_;
    std::function<void()> done_;
    uint64_t sent_ = 0;
    StreamChecksum echo_;
    Clock::time_point started_, finished_;
};

// Sequential round trips on one stream: send a tagged message, wait for all
// of its echo, check it, repeat. Optionally records each round trip time.
class PingPong final : public StreamSink {
public:
    PingPong(EventLoop& loop, Stream& stream, uint64_t stream_index, size_t message_size, uint64_t rounds,
             std::vector<uint32_t>* samples_ns, std::function<void()> done);
    void start();
    uint64_t completed() const { return completed_; }

private:
    void on_stream_data(std::string_view bytes) override;
    void on_stream_ready() override {}
    void send_round();

    EventLoop& loop_;
    Stream& stream_;
    uint64_t stream_index_;
    size_t message_size_;
    uint64_t rounds_;
    std::vector<uint32_t>* samples_ns_;
    std::function<void()> done_;
    std::string sent_;
    std::string echo_;
    uint64_t completed_ = 0;
    Clock::time_point round_started_;
};

// What came back of a run of datagrams.
struct DatagramTally {
    uint64_t sent = 0;
    uint64_t received = 0;  // distinct, intact echoes
    uint64_t corrupt = 0;   // echoes that were not a datagram we sent, or came twice
    uint64_t lost() const { return sent - received; }
    double seconds = 0;  // first send to last echo
};

// Datagrams to the UDP echo peer, each carrying its sequence number.
// Closed loop (rate 0): at most `window` awaiting their echo at any time, as
// fast as echoes return. Open loop (rate > 0): sent at `rate` per second
// whatever comes back. Either way it ends when every echo is in, or when
// none has come for `quiet` (the rest count as lost).
class DatagramExchange final : public DatagramSink {
public:
    struct Plan {
        uint64_t count = 0;
        size_t payload_bytes = 64;
        size_t window = 32;  // closed loop
        uint64_t rate = 0;   // open loop when > 0
        // Added to each sequence number in the tag, so that a late echo from
        // an earlier exchange on the same port is not taken for one of ours.
        uint64_t tag_base = 0;
        std::chrono::milliseconds quiet{1000};
    };
    DatagramExchange(EventLoop& loop, DatagramPort& port, Plan plan, std::function<void()> done);
    void start();
    const DatagramTally& tally() const { return tally_; }

private:
    void on_datagram(std::string_view payload) override;
    void send_next();
    void do_tick();
    void on_tick(const std::error_code& ec);
    void finish();

    EventLoop& loop_;
    DatagramPort& port_;
    Plan plan_;
    std::function<void()> done_;
    asio::steady_timer timer_;
    std::vector<bool> echoed_;
    DatagramTally tally_;
    Clock::time_point started_, last_progress_;  // progress: an echo, or an open-loop send
    bool finished_ = false;
};

}  // namespace sockgate::bench
