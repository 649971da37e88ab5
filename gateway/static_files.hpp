// Static files for GET / and friends, served from the web root, with the
// precompressed siblings web/compress.mjs writes (FILE.br, FILE.gz) sent to
// clients that accept them, and ETags so a reload costs only 304s.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/file_cache.hpp"

namespace sockgate::gateway {

// The parts of a request that decide a static response.
struct StaticRequest {
    std::string target;           // "/index.html?x=1"
    std::string accept_encoding;  // Accept-Encoding, "" when absent
    std::string if_none_match;    // If-None-Match, "" when absent
};

struct StaticResponse {
    int status = 404;          // 200, 304, 400, 403, 404 (500 only if reading fails unexpectedly)
    std::string content_type;  // of the file, also when compressed; "text/plain; charset=utf-8" for errors; "" for 304
    std::string content_encoding;       // "br" or "gzip" when the body is a compressed sibling, else ""
    std::string etag;                   // strong, quoted; for 200 and 304, "" for errors
    bool vary_accept_encoding = false;  // the file has compressed siblings: the answer depends on Accept-Encoding
    // File bytes, or a short plain-text error; empty for 304. A view of
    // `storage`, which a file's bytes share with the cache and with every
    // other response sending the same version.
    std::string_view body;
    std::shared_ptr<const std::string> storage;
};

// Maps the request target ("/index.html?x=1", "/", "/js/app.js") to a file
// under web_root and reads it, or its .br/.gz sibling when the client accepts
// that. Answers 304 when If-None-Match names the version it would send.
// Never serves anything outside web_root. File bytes come from `cache`.
StaticResponse serve_static(FileCache& cache, const std::string& web_root, const StaticRequest& request);
// The same with a cache of its own, for one-off use.
StaticResponse serve_static(const std::string& web_root, const StaticRequest& request);
// The same for a request without Accept-Encoding and If-None-Match.
StaticResponse serve_static(const std::string& web_root, const std::string& target);

// The path resolver serve_static uses, on its own (for tests and fuzzing):
// the canonical path of the regular file under web_root that `target` names,
// with status 200, or an empty path and the error status (400, 403, 404).
struct ResolvedPath {
    int status = 404;
    std::string file;
};
ResolvedPath resolve_static_path(const std::string& web_root, const std::string& target);

// "application/wasm" for ".wasm", "text/html; charset=utf-8" for ".html", ...
std::string content_type_for(const std::string& path);

enum class ContentCoding { identity, gzip, br };

// Accept-Encoding as weights in thousandths (q=0.5 is 500, no q is 1000);
// kNotListed for a coding the header does not name.
struct AcceptEncoding {
    static constexpr int kNotListed = -1;
    int br = kNotListed;
    int gzip = kNotListed;  // also "x-gzip"
    int identity = kNotListed;
    int any = kNotListed;  // "*": every coding not named
};

// Parses an Accept-Encoding value ("gzip, br;q=0.9, *;q=0"): case-insensitive,
// spaces allowed around ',' and ';'. nullopt when it does not parse (a bad
// q-value, a coding that is not a token).
std::optional<AcceptEncoding> parse_accept_encoding(std::string_view header);

// The coding to send for this Accept-Encoding when the .br/.gz siblings named
// by the flags exist: the one the client weighs highest (br on a tie),
// identity when it prefers that, accepts neither or the header is unreadable.
ContentCoding choose_coding(std::string_view accept_encoding, bool have_br, bool have_gzip);

// True when If-None-Match is "*" or lists `etag`, compared weakly as RFC 9110
// asks for this header ("W/\"x\"" matches "\"x\""). A malformed list matches
// nothing, which only costs a full response.
bool if_none_match_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace sockgate::gateway
