// Static files for GET / and friends, served from the web root.
#pragma once

#include <string>

namespace sockgate::gateway {

struct StaticResponse {
    int status = 404;          // 200, 400, 403, 404 (500 only if reading fails unexpectedly)
    std::string content_type;  // for 200; "text/plain; charset=utf-8" for errors
    std::string body;          // file bytes, or a short plain-text error
};

// Maps a request target ("/index.html?x=1", "/", "/js/app.js") to a file under
// web_root and reads it. Never serves anything outside web_root.
StaticResponse serve_static(const std::string& web_root, const std::string& target);

// "application/wasm" for ".wasm", "text/html; charset=utf-8" for ".html", ...
std::string content_type_for(const std::string& path);

}  // namespace sockgate::gateway
