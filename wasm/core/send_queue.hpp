// Outgoing stream bytes of one socket that wait for flow-control credit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace sockgate::client {

// A FIFO of bytes that hands them out as ready-made DATA frames, so a large
// send() is copied once into the queue and once into frames, never more.
class SendQueue {
public:
    void append(std::string_view bytes);
    void clear();

    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

    // Removes up to max_payload bytes (at least 1; the queue must not be
    // empty) and returns them as a complete DATA frame for `sock`.
    std::string take_frame(uint32_t sock, size_t max_payload);

private:
    std::deque<std::string> chunks_;
    size_t front_offset_ = 0;  // bytes of chunks_.front() already taken
    size_t size_ = 0;
};

}  // namespace sockgate::client
