#include "bench/drivers.hpp"

#include <algorithm>
#include <cstring>

namespace sockgate::bench {

// ---------------------------------------------------------------- EchoTransfer

EchoTransfer::EchoTransfer(EventLoop& loop, Stream& stream, const PatternSource& pattern, uint64_t total, size_t chunk,
                           std::function<void()> done)
    : loop_(loop), stream_(stream), pattern_(pattern), total_(total), chunk_(chunk), done_(std::move(done)) {
    stream_.set_sink(this);
}

uint64_t EchoTransfer::expected_checksum(const PatternSource& pattern, uint64_t total, size_t chunk) {
    StreamChecksum sum;
    for (uint64_t off = 0; off < total; off += chunk)
        sum.update(pattern.slice(off, size_t(std::min<uint64_t>(chunk, total - off))));
    return sum.value();
}

void EchoTransfer::start() {
    started_ = Clock::now();
    pump();
}

void EchoTransfer::pump() {
    // Write while the stream takes data without queueing it; the echo and
    // the stream's ready notification keep this going.
    while (sent_ < total_ && stream_.ready()) {
        const size_t n = size_t(std::min<uint64_t>(chunk_, total_ - sent_));
        stream_.write(pattern_.slice(sent_, n));
        sent_ += n;
        if (loop_.failed()) return;
    }
}

void EchoTransfer::on_stream_data(std::string_view bytes) {
    echo_.update(bytes);
    if (echo_.bytes() > sent_)
        return loop_.fail("echo carried " + std::to_string(echo_.bytes()) + " bytes but only " + std::to_string(sent_) +
                          " were sent");
    if (echo_.bytes() == total_) {
        finished_ = Clock::now();
        done_();
    }
}

// ---------------------------------------------------------------- PingPong

PingPong::PingPong(EventLoop& loop, Stream& stream, uint64_t stream_index, size_t message_size, uint64_t rounds,
                   std::vector<uint32_t>* samples_ns, std::function<void()> done)
    : loop_(loop),
      stream_(stream),
      stream_index_(stream_index),
      message_size_(std::max<size_t>(message_size, 8)),
      rounds_(rounds),
      samples_ns_(samples_ns),
      done_(std::move(done)) {
    stream_.set_sink(this);
}

void PingPong::start() { send_round(); }

void PingPong::send_round() {
    // The tag names the stream and the round, so an echo that went to the
    // wrong socket or repeated an old round does not pass.
    sent_ = make_tagged_message((stream_index_ << 32) | completed_, message_size_);
    echo_.clear();
    round_started_ = Clock::now();
    stream_.write(sent_);
}

void PingPong::on_stream_data(std::string_view bytes) {
    echo_.append(bytes);
    if (echo_.size() < sent_.size()) return;
    const auto now = Clock::now();
    if (echo_ != sent_)
        return loop_.fail("round trip " + std::to_string(completed_) + " on stream " + std::to_string(stream_index_) +
                          ": the echo differs from what was sent (" + std::to_string(echo_.size()) + " bytes back)");
    if (samples_ns_)
        samples_ns_->push_back(uint32_t(std::min<int64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - round_started_).count(), UINT32_MAX)));
    if (++completed_ == rounds_) return done_();
    send_round();
}

// ---------------------------------------------------------------- DatagramExchange

DatagramExchange::DatagramExchange(EventLoop& loop, DatagramPort& port, Plan plan, std::function<void()> done)
    : loop_(loop), port_(port), plan_(plan), done_(std::move(done)), timer_(loop.io()), echoed_(plan.count) {
    port_.set_sink(this);
}

void DatagramExchange::start() {
    started_ = last_progress_ = Clock::now();
    if (plan_.rate == 0) {
        while (tally_.sent < plan_.count && tally_.sent < plan_.window) send_next();
    }
    do_tick();
}

void DatagramExchange::send_next() {
    port_.send(make_tagged_message(plan_.tag_base + tally_.sent, plan_.payload_bytes));
    ++tally_.sent;
}

void DatagramExchange::do_tick() {
    // Open loop needs a fine schedule; closed loop only watches for a stall.
    timer_.expires_after(std::chrono::milliseconds(plan_.rate > 0 ? 1 : 50));
    timer_.async_wait([this](const std::error_code& ec) { on_tick(ec); });
}

void DatagramExchange::on_tick(const std::error_code& ec) {
    if (ec || finished_) return;
    const auto now = Clock::now();
    if (plan_.rate > 0 && tally_.sent < plan_.count) {
        // Catch up with the schedule: a late timer sends a small burst.
        const double due = seconds_between(started_, now) * double(plan_.rate);
        const uint64_t target = std::min<uint64_t>(plan_.count, uint64_t(due) + 1);
        while (tally_.sent < target) send_next();
        last_progress_ = now;  // still sending: not a stall
    }
    if (now - last_progress_ >= plan_.quiet) return finish();
    do_tick();
}

void DatagramExchange::on_datagram(std::string_view payload) {
    if (finished_) return;
    uint64_t tag = 0;
    const bool intact = payload.size() == plan_.payload_bytes && read_tagged_message(payload, tag);
    const uint64_t seq = tag - plan_.tag_base;  // wraps to huge for tags below the base
    if (!intact || tag < plan_.tag_base || seq >= tally_.sent || echoed_[seq]) {
        ++tally_.corrupt;
        return;
    }
    echoed_[seq] = true;
    ++tally_.received;
    last_progress_ = Clock::now();
    tally_.seconds = seconds_between(started_, last_progress_);
    if (plan_.rate == 0 && tally_.sent < plan_.count) send_next();
    if (tally_.received == plan_.count) finish();
}

void DatagramExchange::finish() {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    done_();
}

}  // namespace sockgate::bench
