// Which browser Origins may open a session.
#pragma once

#include <string>
#include <vector>

namespace sockgate::gateway {

// A request without Origin (a non-browser client) is allowed. A browser's
// Origin is allowed when it is listed in `extra`, or when it names the very
// authority the request was sent to (its Host header) and that authority is an
// IP literal or localhost. Names are not trusted from Host: a DNS-rebinding
// page on evil.example would otherwise pass as same-origin.
bool origin_allowed(const std::string& origin, const std::string& host_header, const std::vector<std::string>& extra);

}  // namespace sockgate::gateway
