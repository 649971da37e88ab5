// The io_context one workload runs on, with a time limit and one place to
// report how it ended.
#pragma once

#include <chrono>
#include <string>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

namespace sockgate::bench {

class EventLoop {
public:
    explicit EventLoop(std::chrono::seconds limit);
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    asio::io_context& io() { return io_; }

    // The workload is complete: run() returns.
    void finish();
    // Something went wrong: run() returns and reports `why`. The first
    // failure is kept; later ones are usually its consequences.
    void fail(const std::string& why);

    // Runs until finish(), fail() or the time limit. True when finished
    // without failure. May be called again to run a further stage.
    bool run();

    bool failed() const { return !failure_.empty(); }
    const std::string& failure() const { return failure_; }

private:
    void on_deadline(const std::error_code& ec);

    asio::io_context io_;
    asio::steady_timer deadline_;
    std::chrono::seconds limit_;
    std::string failure_;
};

}  // namespace sockgate::bench
