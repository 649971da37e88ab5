// What the client knows about one gateway socket: one row of its socket table.
#pragma once

#include <cstdint>
#include <optional>

#include "protocol/address.hpp"
#include "protocol/errors.hpp"
#include "protocol/socket_kind.hpp"

namespace sockgate::client {

using proto::SocketKind;

enum class SocketState {
    open,
    closing,  // we sent close and wait for the reply; arriving data is dropped
    closed,   // closed by us, by the gateway (closed event), or with the session
};

const char* to_string(SocketState state);

struct SocketInfo {
    uint32_t id = 0;
    SocketKind kind = SocketKind::tcp_stream;
    SocketState state = SocketState::open;

    proto::Endpoint local;
    std::optional<proto::Endpoint> remote;  // TCP streams
    std::optional<uint32_t> listener;       // streams from an accept event

    bool eof_received = false;   // the gateway reported the peer's FIN (eof event)
    bool shutdown_sent = false;  // our side is half-closed: shutdown() was called
    // Why the socket closed: the error of the gateway's closed event, or
    // ECONNRESET when the session ended under it. Empty for a clean close.
    std::optional<proto::ErrorInfo> close_error;

    // Received bytes are acknowledged only when the application calls
    // Client::consume (see ClientOptions::manual_credit).
    bool manual_credit = false;

    // Payload bytes only, frame headers not counted. "out" counts bytes
    // handed to the transport, not bytes still queued.
    uint64_t bytes_in = 0;
    uint64_t bytes_out = 0;
    uint64_t datagrams_in = 0;
    uint64_t datagrams_out = 0;

    // Flow control of TCP streams, in DATA payload bytes.
    uint64_t send_credit = 0;  // we may send this much more without a WINDOW
    uint64_t queued = 0;       // accepted by send(), waiting for credit
    uint64_t recv_credit = 0;  // the gateway may send us this much more
    uint64_t recv_window = 0;  // our window toward the gateway: grows, never shrinks
    uint64_t unconsumed = 0;   // delivered but not consumed (manual credit)
    uint64_t ungranted = 0;    // consumed but not yet granted back by WINDOW
    uint64_t overrun = 0;      // bytes the gateway sent beyond its credit

    bool is_open() const { return state == SocketState::open; }
};

}  // namespace sockgate::client
