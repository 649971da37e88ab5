// Control messages (WebSocket text frames), as the gateway reads the
// browser's and the client reads the gateway's: parse_envelope, then
// read_message<T> for every request, reply and event type, then the replies
// and error events the gateway builds from them.
// Checks: only ProtocolError escapes, with a known code and a bounded
// message; whatever is read encodes and reads back the same; replies and
// error events never throw, are valid JSON and stay small.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/messages.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace sockgate::proto;
using nlohmann::json;

namespace {

// Longest error message a reply may carry: op prefix, field text, a quoted prefix.
constexpr size_t kMaxErrorMessage = 512;

void check_error(const ProtocolError& e) {
    const std::string& code = e.code();
    FUZZ_CHECK(code == "EBADMSG" || code == "EINVAL", "unexpected code %s", code.c_str());
    FUZZ_CHECK(std::string_view(e.what()).size() <= kMaxErrorMessage, "error message of %zu bytes",
               std::string_view(e.what()).size());
}

// What the gateway sends for an error: it must not throw and must stay small.
void check_error_event(const ProtocolError& e, std::optional<int64_t> id) {
    const std::string event = make_event(op::error, ErrorEvent{e.info(), id, std::nullopt});
    FUZZ_CHECK(event.size() <= kMaxErrorMessage + 128, "error event of %zu bytes", event.size());
    const json back = json::parse(event, nullptr, false);
    FUZZ_CHECK(!back.is_discarded(), "error event is not JSON: %s", event.c_str());
    const ErrorEvent read = back.get<ErrorEvent>();
    FUZZ_CHECK(read.error.code == e.code(), "code changed");
}

template <class T>
void read_as(const Envelope& env) {
    T value;
    try {
        value = read_message<T>(env);
    } catch (const ProtocolError& e) {
        check_error(e);
        FUZZ_CHECK(e.code() == "EINVAL", "read_message code %s", e.code().c_str());
        if (env.id) {
            const std::string reply = make_error_reply(env.op, *env.id, e.info());
            FUZZ_CHECK(reply.size() <= kMaxErrorMessage + 128, "error reply of %zu bytes", reply.size());
        }
        return;
    }
    // Round trip: what was accepted encodes to JSON that reads back the same.
    const json encoded = value;
    const T again = encoded.get<T>();
    FUZZ_CHECK(json(again) == encoded, "%s does not round-trip", encoded.dump().c_str());
    if (env.id) {
        const std::string reply = make_reply(env.op, *env.id, encoded);
        const json back = json::parse(reply, nullptr, false);
        FUZZ_CHECK(!back.is_discarded() && back.at("op") == env.op && back.at("id") == *env.id,
                   "reply does not name the request: %s", reply.c_str());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    Envelope env;
    try {
        env = parse_envelope(text);
    } catch (const ProtocolError& e) {
        check_error(e);
        check_error_event(e, e.id());
        return 0;
    }
    FUZZ_CHECK(is_valid_op(env.op), "accepted op '%s'", env.op.c_str());
    FUZZ_CHECK(env.body.is_object(), "body is not an object");
    // Requests
    read_as<HelloRequest>(env);
    read_as<ConnectRequest>(env);
    read_as<ListenRequest>(env);
    read_as<BindRequest>(env);
    read_as<SockRequest>(env);
    read_as<ResolveRequest>(env);
    // Replies
    read_as<HelloReply>(env);
    read_as<SocketReply>(env);
    read_as<ResolveReply>(env);
    read_as<Limits>(env);
    // Events
    read_as<AcceptEvent>(env);
    read_as<EofEvent>(env);
    read_as<ClosedEvent>(env);
    read_as<ErrorEvent>(env);
    read_as<Endpoint>(env);
    read_as<ErrorInfo>(env);
    // The gateway's answers to it, whatever it was.
    if (env.id) {
        (void)make_reply(env.op, *env.id, env.body);
        const std::string unknown =
            make_error_reply(env.op, *env.id, ErrorInfo{"ENOTSUP", "unknown op '" + env.op + "'"});
        FUZZ_CHECK(unknown.size() <= 256, "unknown-op reply of %zu bytes", unknown.size());
    }
    (void)make_event(env.op, env.body);
    return 0;
}
