#include "protocol/errors.hpp"

#include <algorithm>
#include <cerrno>

namespace sockgate::proto {
namespace {

struct NamedErrno {
    int value;
    const char* name;
};

// The codes the protocol uses, plus those a socket call commonly returns.
constexpr NamedErrno kErrnos[] = {
    {EACCES, "EACCES"},
    {EPERM, "EPERM"},
    {EADDRINUSE, "EADDRINUSE"},
    {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
    {ECONNREFUSED, "ECONNREFUSED"},
    {ECONNRESET, "ECONNRESET"},
    {ECONNABORTED, "ECONNABORTED"},
    {ETIMEDOUT, "ETIMEDOUT"},
    {EHOSTUNREACH, "EHOSTUNREACH"},
    {ENETUNREACH, "ENETUNREACH"},
    {ENETDOWN, "ENETDOWN"},
    {EMFILE, "EMFILE"},
    {ENFILE, "ENFILE"},
    {EBADF, "EBADF"},
    {EINVAL, "EINVAL"},
    {EPROTO, "EPROTO"},
    {EMSGSIZE, "EMSGSIZE"},
    {ENOTSUP, "ENOTSUP"},
    {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
    {EBADMSG, "EBADMSG"},
    {EPIPE, "EPIPE"},
    {ENOTCONN, "ENOTCONN"},
    {EISCONN, "EISCONN"},
    {EAGAIN, "EAGAIN"},
    {EINPROGRESS, "EINPROGRESS"},
    {EALREADY, "EALREADY"},
    {EAFNOSUPPORT, "EAFNOSUPPORT"},
    {ENOBUFS, "ENOBUFS"},
    {ENOMEM, "ENOMEM"},
    {ECANCELED, "ECANCELED"},
    {EIO, "EIO"},
    {EOPNOTSUPP, "EOPNOTSUPP"},
};

}  // namespace

void to_json(nlohmann::json& j, const ErrorInfo& e) { j = nlohmann::json{{"code", e.code}, {"message", e.message}}; }

void from_json(const nlohmann::json& j, ErrorInfo& e) {
    const auto code = j.find("code");
    if (code == j.end() || !code->is_string()) throw ProtocolError("EINVAL", "field 'code' must be a string");
    e.code = code->get<std::string>();
    const auto message = j.find("message");
    e.message = message != j.end() && message->is_string() ? message->get<std::string>() : std::string();
}

namespace {

// Length of the well-formed UTF-8 character at the start of `s` (RFC 3629:
// no overlongs, no surrogates, nothing above U+10FFFF), or 0 if there is none.
size_t utf8_char_length(std::string_view s) {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char c = byte(0);
    if (c < 0x80) return 1;
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // range of the second byte
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c == 0xe0)
        n = 3, lo = 0xa0;
    else if (c >= 0xe1 && c <= 0xef)
        n = 3, hi = c == 0xed ? 0x9f : 0xbf;
    else if (c == 0xf0)
        n = 4, lo = 0x90;
    else if (c >= 0xf1 && c <= 0xf3)
        n = 4;
    else if (c == 0xf4)
        n = 4, hi = 0x8f;
    else
        return 0;
    if (s.size() < n || byte(1) < lo || byte(1) > hi) return 0;
    for (size_t i = 2; i < n; ++i)
        if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
    return n;
}

}  // namespace

std::string echo_text(std::string_view text, size_t max_bytes) {
    std::string out;
    out.reserve(std::min(text.size(), max_bytes) + 3);
    size_t i = 0;
    while (i < text.size()) {
        const size_t n = utf8_char_length(text.substr(i));
        const unsigned char c = static_cast<unsigned char>(text[i]);
        const bool control = n == 1 && (c < 0x20 || c == 0x7f);
        const size_t width = n == 0 || control ? 1 : n;
        if (out.size() + width > max_bytes) break;
        if (n == 0 || control)
            out += '?';
        else
            out.append(text.substr(i, n));
        i += n == 0 ? 1 : n;
    }
    if (i < text.size()) out += "...";
    return out;
}

const char* errno_name(int err) {
    for (const auto& e : kErrnos)
        if (e.value == err) return e.name;
    return "EIO";
}

int errno_from_name(std::string_view name) {
    for (const auto& e : kErrnos)
        if (name == e.name) return e.value;
    return 0;
}

}  // namespace sockgate::proto
