#include "protocol/errors.hpp"

#include <cerrno>

namespace sockgate::proto {
namespace {

struct NamedErrno {
    int value;
    const char* name;
};

// The codes the protocol uses, plus those a socket call commonly returns.
constexpr NamedErrno kErrnos[] = {
    {EACCES, "EACCES"},           {EPERM, "EPERM"},
    {EADDRINUSE, "EADDRINUSE"},   {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
    {ECONNREFUSED, "ECONNREFUSED"}, {ECONNRESET, "ECONNRESET"},
    {ECONNABORTED, "ECONNABORTED"}, {ETIMEDOUT, "ETIMEDOUT"},
    {EHOSTUNREACH, "EHOSTUNREACH"}, {ENETUNREACH, "ENETUNREACH"},
    {ENETDOWN, "ENETDOWN"},       {EMFILE, "EMFILE"},
    {ENFILE, "ENFILE"},           {EBADF, "EBADF"},
    {EINVAL, "EINVAL"},           {EPROTO, "EPROTO"},
    {EMSGSIZE, "EMSGSIZE"},       {ENOTSUP, "ENOTSUP"},
    {EPROTONOSUPPORT, "EPROTONOSUPPORT"}, {EBADMSG, "EBADMSG"},
    {EPIPE, "EPIPE"},             {ENOTCONN, "ENOTCONN"},
    {EISCONN, "EISCONN"},         {EAGAIN, "EAGAIN"},
    {EINPROGRESS, "EINPROGRESS"}, {EALREADY, "EALREADY"},
    {EAFNOSUPPORT, "EAFNOSUPPORT"}, {ENOBUFS, "ENOBUFS"},
    {ENOMEM, "ENOMEM"},           {ECANCELED, "ECANCELED"},
    {EIO, "EIO"},                 {EOPNOTSUPP, "EOPNOTSUPP"},
};

}  // namespace

void to_json(nlohmann::json& j, const ErrorInfo& e) {
    j = nlohmann::json{{"code", e.code}, {"message", e.message}};
}

void from_json(const nlohmann::json& j, ErrorInfo& e) {
    const auto code = j.find("code");
    if (code == j.end() || !code->is_string()) throw ProtocolError("EINVAL", "field 'code' must be a string");
    e.code = code->get<std::string>();
    const auto message = j.find("message");
    e.message = message != j.end() && message->is_string() ? message->get<std::string>() : std::string();
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
