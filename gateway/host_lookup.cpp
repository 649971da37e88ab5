#include "gateway/host_lookup.hpp"

#include <netdb.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "gateway/channel.hpp"

namespace sockgate::gateway {

// What the workers share with the io_context thread. Workers hold it alive,
// so a worker returning from getaddrinfo after the gateway is gone finds
// `stopped` here and nothing freed.
struct HostLookup::Shared {
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::shared_ptr<Request::Job>> queue;
    bool stopped = false;
    asio::io_context* io = nullptr;  // valid while !stopped
};

// The part of a request a worker sees: no asio objects, nothing that dies
// with the io_context. `state` is guarded by Shared::mutex.
struct HostLookup::Request::Job {
    enum class State { queued, running, abandoned };
    std::string host;
    std::shared_ptr<LookupSlots> slots;
    Metrics* metrics;  // touched on the io_context thread only
    std::weak_ptr<Request> owner;
    State state = State::queued;
};

namespace {

// The hints asio's tcp::resolver used for connect and resolve, so names and
// numeric notations mean what they meant before.
addrinfo hints(int flags) {
    addrinfo h{};
    h.ai_flags = flags;
    h.ai_family = AF_UNSPEC;
    h.ai_socktype = SOCK_STREAM;
    h.ai_protocol = IPPROTO_TCP;
    return h;
}

// asio's own translation, so error replies read as they did.
asio::error_code addrinfo_error(int rc, int saved_errno) {
    switch (rc) {
        case EAI_AGAIN:
            return asio::error::host_not_found_try_again;
        case EAI_BADFLAGS:
            return asio::error::invalid_argument;
        case EAI_FAIL:
            return asio::error::no_recovery;
        case EAI_FAMILY:
            return asio::error::address_family_not_supported;
        case EAI_MEMORY:
            return asio::error::no_memory;
        case EAI_NONAME:
#ifdef EAI_ADDRFAMILY
        case EAI_ADDRFAMILY:
#endif
#if defined(EAI_NODATA) && EAI_NODATA != EAI_NONAME
        case EAI_NODATA:
#endif
            return asio::error::host_not_found;
        case EAI_SERVICE:
            return asio::error::service_not_found;
        case EAI_SOCKTYPE:
            return asio::error::socket_type_not_supported;
        default:
            return asio::error_code(saved_errno, asio::system_category());
    }
}

LookupResult to_result(int rc, const addrinfo* list) {
    LookupResult out;
    if (rc != 0) {
        out.error = addrinfo_error(rc, errno);
        return out;
    }
    for (const addrinfo* ai = list; ai; ai = ai->ai_next) {
        asio::ip::address a;
        if (ai->ai_family == AF_INET) {
            asio::ip::address_v4::bytes_type b;
            std::memcpy(b.data(), &reinterpret_cast<const sockaddr_in*>(ai->ai_addr)->sin_addr, b.size());
            a = asio::ip::address_v4(b);
        } else if (ai->ai_family == AF_INET6) {
            const auto* sa6 = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
            asio::ip::address_v6::bytes_type b;
            std::memcpy(b.data(), &sa6->sin6_addr, b.size());
            a = asio::ip::address_v6(b, sa6->sin6_scope_id);
        } else {
            continue;
        }
        a = unmap(a);
        if (std::find(out.addresses.begin(), out.addresses.end(), a) == out.addresses.end()) out.addresses.push_back(a);
    }
    return out;
}

// Blocks for as long as the system resolver takes: on a worker only.
LookupResult blocking_lookup(const std::string& host) {
    const addrinfo h = hints(0);
    addrinfo* list = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), nullptr, &h, &list);
    LookupResult out = to_result(rc, list);
    if (list) ::freeaddrinfo(list);
    return out;
}

void ended(HostLookup::Request::Job& job) {
    --job.slots->in_flight;
    --job.metrics->lookups_in_flight;
}

}  // namespace

void HostLookup::work(std::shared_ptr<Shared> shared) {
    using State = Request::Job::State;
    std::unique_lock lock(shared->mutex);
    for (;;) {
        shared->wake.wait(lock, [&] { return shared->stopped || !shared->queue.empty(); });
        if (shared->stopped) return;
        auto job = std::move(shared->queue.front());
        shared->queue.pop_front();
        if (job->state == State::abandoned) continue;  // its session already stopped counting it
        job->state = State::running;
        lock.unlock();
        LookupResult result = blocking_lookup(job->host);
        lock.lock();
        if (shared->stopped) return;
        // Under the lock, so the io_context cannot be going away meanwhile.
        asio::post(*shared->io, [job, result = std::move(result)]() mutable {
            ended(*job);
            if (auto request = job->owner.lock()) request->on_result(std::move(result));
        });
    }
}

std::optional<LookupResult> numeric_host(const std::string& host) {
    // With AI_NUMERICHOST getaddrinfo neither reads files nor asks DNS.
    const addrinfo h = hints(AI_NUMERICHOST);
    addrinfo* list = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), nullptr, &h, &list);
    if (rc != 0) return std::nullopt;
    LookupResult out = to_result(rc, list);
    ::freeaddrinfo(list);
    return out;
}

HostLookup::HostLookup(asio::io_context& io, Metrics& metrics, size_t threads)
    : io_(io), metrics_(metrics), shared_(std::make_shared<Shared>()) {
    shared_->io = &io_;
    for (size_t i = 0; i < threads; ++i) std::thread(work, shared_).detach();
}

HostLookup::~HostLookup() {
    std::lock_guard lock(shared_->mutex);
    shared_->stopped = true;
    shared_->io = nullptr;
    shared_->queue.clear();
    shared_->wake.notify_all();
}

std::shared_ptr<HostLookup::Request> HostLookup::start(const std::string& host,
                                                       std::chrono::steady_clock::time_point deadline,
                                                       std::shared_ptr<LookupSlots> slots, Done done) {
    auto request = std::make_shared<Request>(io_, metrics_, shared_, std::move(done));
    auto job = std::make_shared<Request::Job>();
    job->host = host;
    job->slots = std::move(slots);
    job->metrics = &metrics_;
    job->owner = request;
    request->job_ = job;
    ++job->slots->in_flight;
    ++metrics_.lookups_in_flight;
    request->timer_.expires_at(deadline);
    request->timer_.async_wait(
        [self = request->shared_from_this()](const asio::error_code& ec) { self->on_deadline(ec); });
    {
        std::lock_guard lock(shared_->mutex);
        shared_->queue.push_back(std::move(job));
    }
    shared_->wake.notify_one();
    return request;
}

HostLookup::Request::Request(asio::io_context& io, Metrics& metrics, std::shared_ptr<HostLookup::Shared> shared,
                             Done done)
    : metrics_(metrics), shared_(std::move(shared)), timer_(io), done_(std::move(done)) {}

void HostLookup::Request::on_deadline(const asio::error_code& ec) {
    if (ec || !done_) return;
    ++metrics_.lookups_timed_out;
    abandon();
    Done done = std::move(done_);
    done_ = nullptr;
    LookupResult result;
    result.timed_out = true;
    result.error = asio::error::timed_out;
    done(std::move(result));
}

void HostLookup::Request::on_result(LookupResult result) {
    if (!done_) return;
    timer_.cancel();
    Done done = std::move(done_);
    done_ = nullptr;
    done(std::move(result));
}

void HostLookup::Request::cancel() {
    done_ = nullptr;
    timer_.cancel();
    abandon();
}

void HostLookup::Request::abandon() {
    if (!job_) return;
    bool was_queued = false;
    {
        std::lock_guard lock(shared_->mutex);
        was_queued = job_->state == Job::State::queued;
        if (was_queued) job_->state = Job::State::abandoned;
    }
    // A running lookup is counted until its worker is free again.
    if (was_queued) ended(*job_);
    job_.reset();
}

}  // namespace sockgate::gateway
