#include "support/raw_websocket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace sockgate::testing {
namespace {

using Clock = std::chrono::steady_clock;

int ms_left(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? int(left) : 0;
}

}  // namespace

uint16_t WsFrame::close_code() const {
    if (opcode != 8 || payload.size() < 2) return 0;
    return uint16_t((uint8_t(payload[0]) << 8) | uint8_t(payload[1]));
}

RawWebSocket::RawWebSocket(uint16_t port, int receive_buffer) : port_(port) {
    Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (receive_buffer > 0) setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
    fd_ = std::move(fd);
}

bool RawWebSocket::send_upgrade() {
    const std::string request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                                "Sec-WebSocket-Protocol: sockgate.v1\r\n\r\n";
    return write_bytes(request, std::chrono::seconds(5));
}

int RawWebSocket::read_upgrade_status(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos)
        if (!fill(in_.size() + 1, deadline)) return 0;
    const std::string head = in_.substr(0, end);
    in_.erase(0, end + 4);
    if (head.size() < 12 || head.rfind("HTTP/1.1 ", 0) != 0) return 0;
    return std::stoi(head.substr(9, 3));
}

std::string masked_frame(uint8_t opcode, const std::string& payload) {
    std::string frame;
    frame.push_back(char(0x80 | opcode));
    const size_t n = payload.size();
    if (n < 126) {
        frame.push_back(char(0x80 | n));
    } else if (n < 65536) {
        frame.push_back(char(0x80 | 126));
        frame.push_back(char(n >> 8));
        frame.push_back(char(n & 0xff));
    } else {
        frame.push_back(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8) frame.push_back(char((uint64_t(n) >> shift) & 0xff));
    }
    const uint8_t mask[4] = {0x12, 0x34, 0x56, 0x78};
    frame.append(reinterpret_cast<const char*>(mask), 4);
    for (size_t i = 0; i < n; ++i) frame.push_back(char(uint8_t(payload[i]) ^ mask[i % 4]));
    return frame;
}

bool RawWebSocket::send_text(const std::string& text, std::chrono::milliseconds timeout) {
    return write_bytes(masked_frame(1, text), timeout);
}

bool RawWebSocket::send_texts(const std::vector<std::string>& texts, std::chrono::milliseconds timeout) {
    std::string frames;
    for (const auto& t : texts) frames += masked_frame(1, t);
    return write_bytes(frames, timeout);
}

bool RawWebSocket::write_bytes(const std::string& bytes, std::chrono::milliseconds timeout) {
    if (!fd_) return false;
    const auto deadline = Clock::now() + timeout;
    size_t done = 0;
    while (done < bytes.size()) {
        pollfd p{fd_.get(), POLLOUT, 0};
        if (poll(&p, 1, ms_left(deadline)) <= 0) return false;
        const ssize_t n = send(fd_.get(), bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return false;
        }
        done += size_t(n);
        sent_ += uint64_t(n);
    }
    return true;
}

bool RawWebSocket::fill(size_t n, Clock::time_point deadline) {
    while (in_.size() < n) {
        if (!fd_) return false;
        pollfd p{fd_.get(), POLLIN, 0};
        if (poll(&p, 1, ms_left(deadline)) <= 0) return false;
        char buf[65536];
        const ssize_t got = recv(fd_.get(), buf, sizeof buf, 0);
        if (got <= 0) return false;
        in_.append(buf, size_t(got));
    }
    return true;
}

std::optional<WsFrame> RawWebSocket::read_frame(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    if (!fill(2, deadline)) return std::nullopt;
    size_t header = 2;
    uint64_t length = uint8_t(in_[1]) & 0x7f;
    if (length == 126) {
        header = 4;
        if (!fill(header, deadline)) return std::nullopt;
        length = (uint64_t(uint8_t(in_[2])) << 8) | uint8_t(in_[3]);
    } else if (length == 127) {
        header = 10;
        if (!fill(header, deadline)) return std::nullopt;
        length = 0;
        for (int i = 2; i < 10; ++i) length = (length << 8) | uint8_t(in_[size_t(i)]);
    }
    if (!fill(header + length, deadline)) return std::nullopt;
    WsFrame f;
    f.opcode = uint8_t(in_[0]) & 0x0f;
    f.payload = in_.substr(header, length);
    in_.erase(0, header + length);
    return f;
}

bool RawWebSocket::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (fd_) {
        pollfd p{fd_.get(), POLLIN, 0};
        if (poll(&p, 1, ms_left(deadline)) <= 0) return false;
        char buf[65536];
        const ssize_t got = recv(fd_.get(), buf, sizeof buf, 0);
        if (got <= 0) return true;
    }
    return true;
}

}  // namespace sockgate::testing
