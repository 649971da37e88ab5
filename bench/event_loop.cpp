#include "bench/event_loop.hpp"

namespace sockgate::bench {

EventLoop::EventLoop(std::chrono::seconds limit) : io_(1), deadline_(io_), limit_(limit) {}

void EventLoop::finish() { io_.stop(); }

void EventLoop::fail(const std::string& why) {
    if (failure_.empty()) failure_ = why;
    io_.stop();
}

bool EventLoop::run() {
    if (failed()) return false;
    deadline_.expires_after(limit_);
    deadline_.async_wait([this](const std::error_code& ec) { on_deadline(ec); });
    io_.restart();
    io_.run();
    deadline_.cancel();
    return !failed();
}

void EventLoop::on_deadline(const std::error_code& ec) {
    if (ec) return;  // cancelled: the stage ended in time
    fail("timed out after " + std::to_string(limit_.count()) + " s");
}

}  // namespace sockgate::bench
