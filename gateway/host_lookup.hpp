// Name lookups for connect and resolve, off the io_context thread: blocking
// getaddrinfo on a fixed pool of worker threads shared by every session.
//
// Asio's resolver runs every lookup of an io_context on one background thread,
// so one name whose DNS server never answers held up every lookup (and every
// numeric connect) behind it. Here a silent name holds one worker until
// getaddrinfo gives up, the others keep answering, and the caller hears
// ETIMEDOUT at its own deadline whatever the worker is still doing.
#pragma once

#include <asio.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/metrics.hpp"

namespace sockgate::gateway {

struct LookupResult {
    bool timed_out = false;                    // the deadline passed first
    asio::error_code error;                    // as asio's resolver would report it
    std::vector<asio::ip::address> addresses;  // unmapped, without duplicates, in getaddrinfo's order
};

// What getaddrinfo makes of `host` as a numeric address (every notation it
// accepts, IPv6 scope ids included); nullopt for anything that would need a
// lookup. Only parses, so it is safe on the io_context thread.
std::optional<LookupResult> numeric_host(const std::string& host);

// One session's lookups in flight. A lookup counts from its start until its
// worker's getaddrinfo returns, even when that is after the caller's
// deadline, so a session never holds more workers than its cap.
struct LookupSlots {
    size_t in_flight = 0;
};

class HostLookup {
public:
    using Done = std::function<void(LookupResult)>;
    class Request;

    // Starts `threads` workers. Throws std::system_error when it cannot.
    HostLookup(asio::io_context& io, Metrics& metrics, size_t threads);
    // Leaves workers stuck in getaddrinfo behind (detached): they notice the
    // pool is gone when it returns and touch nothing of the gateway's.
    // Must run before the io_context is destroyed.
    ~HostLookup();
    HostLookup(const HostLookup&) = delete;
    HostLookup& operator=(const HostLookup&) = delete;

    // Looks `host` up (a name; numeric hosts need no lookup, see
    // numeric_host). `done` runs once on the io_context thread, with the
    // result or timed_out at `deadline`, unless the request is cancelled
    // first. On the io_context thread only.
    std::shared_ptr<Request> start(const std::string& host, std::chrono::steady_clock::time_point deadline,
                                   std::shared_ptr<LookupSlots> slots, Done done);

    struct Shared;

private:
    static void work(std::shared_ptr<Shared> shared);

    asio::io_context& io_;
    Metrics& metrics_;
    std::shared_ptr<Shared> shared_;
};

class HostLookup::Request : public std::enable_shared_from_this<HostLookup::Request> {
public:
    struct Job;
    Request(asio::io_context& io, Metrics& metrics, std::shared_ptr<HostLookup::Shared> shared, Done done);
    // No callback after this. A lookup still waiting for a worker is dropped;
    // one already running counts against its session until it returns.
    void cancel();

private:
    friend class HostLookup;
    void on_deadline(const asio::error_code& ec);
    void on_result(LookupResult result);
    void abandon();

    Metrics& metrics_;
    std::shared_ptr<HostLookup::Shared> shared_;
    std::shared_ptr<Job> job_;
    asio::steady_timer timer_;
    Done done_;
};

}  // namespace sockgate::gateway
