// File descriptors: every relayed socket and every browser connection costs
// one, and a gateway out of them can answer no one, not even with an error.
#pragma once

#include <cstdint>
#include <string>

#include "gateway/options.hpp"

namespace sockgate::gateway {

// Descriptors kept back from sessions so that, at the limit, the gateway can
// still accept a connection to refuse it with 503, answer /healthz, and let
// its resolver threads open their sockets.
constexpr uint64_t kFdReserve = 32;

// Raises the soft RLIMIT_NOFILE to the hard one; returns the soft limit now
// in force.
uint64_t raise_fd_limit();

// Descriptors this process has open now (0 where /proc is unavailable).
uint64_t count_open_fds();

// What the options need at most: every session full of sockets, every
// pre-session connection, the reserve and what is open already.
uint64_t fds_needed(const Options& options, uint64_t open_now);

// Fits the options to `limit`. Limits the user chose are honoured or refused
// (OptionsError, saying what to change); defaults are lowered to fit, and the
// returned line says so (empty when nothing changed).
std::string fit_options_to_fd_limit(Options& options, uint64_t limit, uint64_t open_now);

}  // namespace sockgate::gateway
