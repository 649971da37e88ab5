// getaddrinfo, freeaddrinfo, gai_strerror and gethostbyname.
//
// Numeric addresses and the null host are answered here; names go to the
// gateway's `resolve` op, which resolves on the gateway host (so
// "localhost" means that host's loopback) and returns only addresses the
// policy lets the session reach. Messages follow glibc's wording, so a
// program prints the same text natively and in the browser.

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wasm/posix/session.hpp"
#include "wasm/posix/wait.hpp"

using namespace sockgate::posix;
namespace proto = sockgate::proto;

namespace {

// One result and its socket address, freed together by freeaddrinfo.
struct Entry {
    addrinfo info;
    sockaddr_storage addr;
};

struct Service {
    const char* name;
    int port;
};

// The few well-known names tutorials use; anything else must be numeric.
constexpr Service kServices[] = {
    {"echo", 7},  {"daytime", 13}, {"ftp", 21},  {"ssh", 22},   {"telnet", 23}, {"smtp", 25},   {"domain", 53},
    {"http", 80}, {"pop3", 110},   {"ntp", 123}, {"imap", 143}, {"https", 443}, {"imaps", 993}, {"pop3s", 995},
};

// Parses `service` into a port. Returns 0 or an EAI_* code.
int parse_service(const char* service, int flags, int& port) {
    port = 0;
    if (!service || !*service) return 0;
    char* end = nullptr;
    const long v = std::strtol(service, &end, 10);
    if (*end == '\0' && std::isdigit(static_cast<unsigned char>(service[0]))) {
        if (v < 0 || v > 65535) return EAI_SERVICE;
        port = int(v);
        return 0;
    }
    if (flags & AI_NUMERICSERV) return EAI_NONAME;
    for (const auto& s : kServices) {
        if (std::strcmp(s.name, service) == 0) {
            port = s.port;
            return 0;
        }
    }
    return EAI_SERVICE;
}

struct Address {
    int family;
    unsigned char bytes[16];
};

std::optional<Address> parse_numeric(const char* text) {
    Address a{};
    in_addr v4;
    if (inet_aton(text, &v4)) {  // like glibc: also "127.1"
        a.family = AF_INET;
        std::memcpy(a.bytes, &v4, 4);
        return a;
    }
    if (inet_pton(AF_INET6, text, a.bytes) == 1) {
        a.family = AF_INET6;
        return a;
    }
    return std::nullopt;
}

// Resolves a name through the gateway. Returns 0 or an EAI_* code (with
// errno set for EAI_SYSTEM).
int resolve_name(const std::string& name, std::vector<Address>& out) {
    int err = 0;
    Session* session = Session::acquire(err);
    if (!session || (err = session->wait_ready())) {
        fail(err);
        return EAI_SYSTEM;
    }
    auto reply = std::make_shared<std::optional<sockgate::client::Result<proto::ResolveReply>>>();
    session->client().resolve(
        name, [reply](sockgate::client::Result<proto::ResolveReply> r) { reply->emplace(std::move(r)); });
    wait_until([&] { return reply->has_value(); }, false);
    if (!reply->has_value()) {
        fail(ECONNRESET);
        return EAI_SYSTEM;
    }
    const auto& r = **reply;
    if (!r) {
        const std::string& code = r.error().code;
        if (code == proto::kEaiNoname) return EAI_NONAME;
        if (code == proto::kEaiAgain) return EAI_AGAIN;
        // EACCES: the name exists but the policy allows none of its addresses.
        fail(errno_of(r.error()));
        return EAI_SYSTEM;
    }
    for (const std::string& text : r->addrs)
        if (auto a = parse_numeric(text.c_str())) out.push_back(*a);
    return out.empty() ? EAI_NONAME : 0;
}

Entry* make_entry(const Address& a, int port, int socktype, int protocol, int flags) {
    auto* e = static_cast<Entry*>(std::calloc(1, sizeof(Entry)));
    if (!e) return nullptr;
    e->info.ai_flags = flags;
    e->info.ai_family = a.family;
    e->info.ai_socktype = socktype;
    e->info.ai_protocol = protocol;
    e->info.ai_addr = reinterpret_cast<sockaddr*>(&e->addr);
    if (a.family == AF_INET) {
        auto* in = reinterpret_cast<sockaddr_in*>(&e->addr);
        in->sin_family = AF_INET;
        in->sin_port = htons(uint16_t(port));
        std::memcpy(&in->sin_addr, a.bytes, 4);
        e->info.ai_addrlen = sizeof(sockaddr_in);
    } else {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&e->addr);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(uint16_t(port));
        std::memcpy(&in6->sin6_addr, a.bytes, 16);
        e->info.ai_addrlen = sizeof(sockaddr_in6);
    }
    return e;
}

Address v4(uint32_t host_order) {
    Address a{};
    a.family = AF_INET;
    const uint32_t n = htonl(host_order);
    std::memcpy(a.bytes, &n, 4);
    return a;
}

Address v6(bool loopback) {
    Address a{};
    a.family = AF_INET6;
    if (loopback) a.bytes[15] = 1;
    return a;
}

}  // namespace

extern "C" {

int getaddrinfo(const char* node, const char* service, const addrinfo* hints, addrinfo** res) {
    if (!res) return EAI_FAIL;
    *res = nullptr;
    if (!node && !service) return EAI_NONAME;
    int flags = 0, family = AF_UNSPEC, socktype = 0, protocol = 0;
    if (hints) {
        flags = hints->ai_flags;
        family = hints->ai_family;
        socktype = hints->ai_socktype;
        protocol = hints->ai_protocol;
    }
    const int known =
        AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL | AI_ADDRCONFIG | AI_NUMERICSERV;
    if (flags & ~known) return EAI_BADFLAGS;
    if ((flags & AI_CANONNAME) && !node) return EAI_BADFLAGS;
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) return EAI_FAMILY;
    if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM) return EAI_SOCKTYPE;
    if (protocol != 0 && protocol != IPPROTO_TCP && protocol != IPPROTO_UDP) return EAI_SERVICE;
    if ((socktype == SOCK_STREAM && protocol == IPPROTO_UDP) || (socktype == SOCK_DGRAM && protocol == IPPROTO_TCP))
        return EAI_SERVICE;

    int port = 0;
    if (const int e = parse_service(service, flags, port)) return e;

    std::vector<Address> addrs;
    if (!node) {
        // No host: the wildcard to bind (AI_PASSIVE) or loopback to connect.
        const bool passive = flags & AI_PASSIVE;
        if (family != AF_INET6) addrs.push_back(v4(passive ? INADDR_ANY : INADDR_LOOPBACK));
        if (family != AF_INET) addrs.push_back(v6(!passive));
        if (!passive && family == AF_UNSPEC) std::swap(addrs[0], addrs[1]);
    } else if (auto a = parse_numeric(node)) {
        if (family != AF_UNSPEC && family != a->family) {
            if (!(family == AF_INET6 && (flags & AI_V4MAPPED))) return EAI_ADDRFAMILY;
        }
        addrs.push_back(*a);
    } else {
        if (flags & AI_NUMERICHOST) return EAI_NONAME;
        if (const int e = resolve_name(node, addrs)) return e;
    }

    // Keep the requested family; AF_INET6 with AI_V4MAPPED takes IPv4
    // addresses in mapped form when there is no IPv6 address (or always, AI_ALL).
    std::vector<Address> chosen;
    bool have_v6 = false;
    for (const auto& a : addrs) have_v6 |= a.family == AF_INET6;
    for (const auto& a : addrs) {
        if (family == AF_UNSPEC || a.family == family) {
            chosen.push_back(a);
        } else if (family == AF_INET6 && a.family == AF_INET && (flags & AI_V4MAPPED) &&
                   (!have_v6 || (flags & AI_ALL))) {
            Address m{};
            m.family = AF_INET6;
            m.bytes[10] = m.bytes[11] = 0xff;
            std::memcpy(m.bytes + 12, a.bytes, 4);
            chosen.push_back(m);
        }
    }
    if (chosen.empty()) return node && parse_numeric(node) ? EAI_ADDRFAMILY : EAI_NONAME;

    struct Kind {
        int socktype, protocol;
    };
    std::vector<Kind> kinds;
    if (socktype == 0 || socktype == SOCK_STREAM) {
        if (protocol == 0 || protocol == IPPROTO_TCP) kinds.push_back({SOCK_STREAM, IPPROTO_TCP});
    }
    if (socktype == 0 || socktype == SOCK_DGRAM) {
        if (protocol == 0 || protocol == IPPROTO_UDP) kinds.push_back({SOCK_DGRAM, IPPROTO_UDP});
    }

    addrinfo* head = nullptr;
    addrinfo** tail = &head;
    for (const auto& a : chosen) {
        for (const auto& k : kinds) {
            Entry* e = make_entry(a, port, k.socktype, k.protocol, flags);
            if (!e) {
                freeaddrinfo(head);
                return EAI_MEMORY;
            }
            *tail = &e->info;
            tail = &e->info.ai_next;
        }
    }
    if (head && (flags & AI_CANONNAME)) head->ai_canonname = strdup(node);
    *res = head;
    return 0;
}

void freeaddrinfo(addrinfo* list) {
    while (list) {
        addrinfo* next = list->ai_next;
        std::free(list->ai_canonname);
        std::free(list);  // the Entry starts with its addrinfo
        list = next;
    }
}

const char* gai_strerror(int code) {
    switch (code) {
        case 0:
            return "Unknown error";  // glibc says so too
        case EAI_BADFLAGS:
            return "Bad value for ai_flags";
        case EAI_NONAME:
            return "Name or service not known";
        case EAI_AGAIN:
            return "Temporary failure in name resolution";
        case EAI_FAIL:
            return "Non-recoverable failure in name resolution";
        case EAI_NODATA:
            return "No address associated with hostname";
        case EAI_FAMILY:
            return "ai_family not supported";
        case EAI_SOCKTYPE:
            return "ai_socktype not supported";
        case EAI_SERVICE:
            return "Servname not supported for ai_socktype";
        case EAI_ADDRFAMILY:
            return "Address family for hostname not supported";
        case EAI_MEMORY:
            return "Memory allocation failure";
        case EAI_SYSTEM:
            return "System error";
        case EAI_OVERFLOW:
            return "Argument buffer overflow";
        default:
            return "Unknown error";
    }
}

hostent* gethostbyname(const char* name) {
    static hostent host;
    static char* aliases[1] = {nullptr};
    static std::vector<in_addr> addrs;
    static std::vector<char*> list;
    static std::string canonical;

    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const int r = name ? getaddrinfo(name, nullptr, &hints, &res) : EAI_NONAME;
    if (r != 0) {
        h_errno = r == EAI_AGAIN ? TRY_AGAIN : (r == EAI_NONAME ? HOST_NOT_FOUND : NO_RECOVERY);
        return nullptr;
    }
    addrs.clear();
    for (addrinfo* p = res; p; p = p->ai_next) addrs.push_back(reinterpret_cast<sockaddr_in*>(p->ai_addr)->sin_addr);
    freeaddrinfo(res);
    list.clear();
    for (auto& a : addrs) list.push_back(reinterpret_cast<char*>(&a));
    list.push_back(nullptr);
    canonical = name;
    host.h_name = canonical.data();
    host.h_aliases = aliases;
    host.h_addrtype = AF_INET;
    host.h_length = sizeof(in_addr);
    host.h_addr_list = list.data();
    return &host;
}

}  // extern "C"
