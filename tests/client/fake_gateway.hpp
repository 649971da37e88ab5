// A scripted stand-in for the gateway, speaking sockgate.v1 over TestServer,
// so BlockingClient and sockgate-cat can be tested end to end before (and
// independently of) the real gateway. It opens no sockets of its own:
//
//   connect to port 1     -> error ECONNREFUSED
//   connect to port 2     -> a "source": sends source_bytes of a pattern, then eof
//   connect to port 3     -> reply, then closed {error ECONNRESET}
//   connect to any other  -> an echo stream (eof echoed after shutdown)
//   listen                -> reply, then one accept event for an echo stream
//   bind                  -> a UDP socket echoing datagrams to their sender
//   resolve               -> ["127.0.0.1"]
//   op "kick"             -> closes the session with 1008
//   malformed text/frames -> error event EBADMSG / EBADF
//   DATA beyond credit    -> closed {error EPROTO}
// It honours flow control both ways: DATA is granted back as soon as it is
// echoed into the outgoing queue, and output waits for the client's WINDOWs.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "test_server.hpp"

namespace sockgate::client::testing {

struct FakeGatewayOptions {
    uint32_t window = 64 * 1024;
    uint32_t max_frame = 16 * 1024;
    std::string token;  // required in hello when not empty
    uint64_t source_bytes = 1 << 20;
};

// The byte at `offset` of a "source" stream.
inline char source_byte(uint64_t offset) { return char('a' + offset % 23); }

class FakeGateway {
public:
    explicit FakeGateway(FakeGatewayOptions options = {});
    ~FakeGateway();

    std::string url() const { return server_.url(); }
    // Most bytes the client ever had in flight beyond its credit (must stay 0).
    uint64_t overruns() const { return overruns_.load(); }
    // DATA payload bytes received from clients so far.
    uint64_t data_bytes() const { return data_bytes_.load(); }

private:
    class Sessions;
    TestServer server_;
    std::unique_ptr<Sessions> sessions_;
    std::atomic<uint64_t> overruns_{0};
    std::atomic<uint64_t> data_bytes_{0};
};

}  // namespace sockgate::client::testing
