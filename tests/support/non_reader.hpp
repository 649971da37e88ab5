// A client that sends one request to the gateway and then reads nothing,
// for tests of what such clients may hold. Its receive window is kept small,
// so a response the kernel will not queue for it waits in the gateway and
// the connection stays in the gateway's counts.
#pragma once

#include <cstdint>
#include <string>

namespace sockgate::testing {

class NonReader {
public:
    // GET `target` from 127.0.0.1:port with `extra_headers` (each line ending
    // in \r\n), from the loopback address `from` (e.g. "127.0.0.2", to be
    // another client).
    NonReader(uint16_t port, const std::string& target, const std::string& extra_headers = "",
              const std::string& from = "127.0.0.1");
    // A WebSocket session instead, opened and kept.
    explicit NonReader(uint16_t port);
    ~NonReader();
    NonReader(const NonReader&) = delete;
    NonReader& operator=(const NonReader&) = delete;

    // The whole request went out.
    bool sent() const { return sent_; }

private:
    int fd_ = -1;
    bool sent_ = false;
};

}  // namespace sockgate::testing
