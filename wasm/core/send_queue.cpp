#include "wasm/core/send_queue.hpp"

#include <algorithm>
#include <cstring>

#include "protocol/frame.hpp"

namespace sockgate::client {

void SendQueue::append(std::string_view bytes) {
    if (bytes.empty()) return;
    chunks_.emplace_back(bytes);
    size_ += bytes.size();
}

void SendQueue::clear() {
    chunks_.clear();
    front_offset_ = 0;
    size_ = 0;
}

std::string SendQueue::take_frame(uint32_t sock, size_t max_payload) {
    const size_t n = std::min(size_, std::max<size_t>(max_payload, 1));
    std::string frame(proto::kFrameHeaderSize + n, '\0');
    auto* out = reinterpret_cast<uint8_t*>(frame.data());
    proto::write_frame_header(out, proto::FrameKind::data, sock);
    out += proto::kFrameHeaderSize;

    // A frame may span several appended chunks, and a chunk several frames.
    size_t left = n;
    while (left > 0) {
        const std::string& front = chunks_.front();
        const size_t take = std::min(left, front.size() - front_offset_);
        std::memcpy(out, front.data() + front_offset_, take);
        out += take;
        left -= take;
        front_offset_ += take;
        if (front_offset_ == front.size()) {
            chunks_.pop_front();
            front_offset_ = 0;
        }
    }
    size_ -= n;
    return frame;
}

}  // namespace sockgate::client
