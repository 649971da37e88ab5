// What a workload drives: byte streams and datagram ports to the echo
// peers, opened over a Path. The direct path and the relay path implement
// the same interfaces, so every workload is written once and runs on both.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

namespace sockgate::bench {

// Hears what a Stream delivers.
class StreamSink {
public:
    virtual ~StreamSink() = default;
    // Echoed bytes, in order, split however the path likes.
    virtual void on_stream_data(std::string_view bytes) = 0;
    // The stream became ready() again after a write left it busy.
    virtual void on_stream_ready() = 0;
};

// One TCP connection to the echo peer. Failures go to the EventLoop.
class Stream {
public:
    virtual ~Stream() = default;
    void set_sink(StreamSink* sink) { sink_ = sink; }
    // True when a write now goes out without waiting behind earlier ones.
    // Writers that keep to this hold a bounded amount of data in flight.
    virtual bool ready() const = 0;
    // Copies `bytes` and sends them (after earlier writes).
    virtual void write(std::string_view bytes) = 0;

protected:
    StreamSink* sink_ = nullptr;
};

class DatagramSink {
public:
    virtual ~DatagramSink() = default;
    virtual void on_datagram(std::string_view payload) = 0;
};

// One UDP socket that sends to the UDP echo peer and hears its replies.
class DatagramPort {
public:
    virtual ~DatagramPort() = default;
    void set_sink(DatagramSink* sink) { sink_ = sink; }
    virtual void send(std::string_view payload) = 0;

protected:
    DatagramSink* sink_ = nullptr;
};

// A way to the echo peers: straight over loopback, or through the gateway.
// Everything opened stays owned by the Path.
class Path {
public:
    virtual ~Path() = default;
    virtual const char* name() const = 0;
    // Opens sessions x per_session streams (the direct path has no sessions
    // and just opens that many), then calls done with all of them.
    virtual void open_streams(size_t sessions, size_t per_session, std::function<void(std::vector<Stream*>)> done) = 0;
    virtual void open_datagram_port(std::function<void(DatagramPort*)> done) = 0;
};

}  // namespace sockgate::bench
