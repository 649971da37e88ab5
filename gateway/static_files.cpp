#include "gateway/static_files.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <vector>

namespace sockgate::gateway {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPlainText = "text/plain; charset=utf-8";

StaticResponse error_response(int status, const std::string& text) {
    return StaticResponse{status, kPlainText, text + "\n"};
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// "%41" -> "A". A '%' not followed by two hex digits makes the path invalid.
// '+' stays '+': it only means space in form data, not in paths.
std::optional<std::string> percent_decode(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        const int hi = hex_value(text[i + 1]);
        const int lo = hex_value(text[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += char(hi * 16 + lo);
        i += 2;
    }
    return out;
}

// The path part of a request target: everything before '?' or '#'.
std::string strip_query_and_fragment(const std::string& target) {
    return target.substr(0, target.find_first_of("?#"));
}

// Splits "/a//b/./c" into {"a", "b", "c"}. Returns nullopt when a segment
// could climb out of the root or be read differently by another layer.
std::optional<std::vector<std::string>> safe_segments(const std::string& path) {
    if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos) return std::nullopt;
    std::vector<std::string> segments;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t end = std::min(path.find('/', start), path.size());
        const std::string segment = path.substr(start, end - start);
        if (segment == "..") return std::nullopt;
        if (!segment.empty() && segment != ".") segments.push_back(segment);
        start = end + 1;
    }
    return segments;
}

// True when `p` is `root` or lies below it. Both must be canonical.
bool is_within(const fs::path& root, const fs::path& p) {
    auto [root_end, p_pos] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
    (void)p_pos;
    return root_end == root.end();
}

// Resolves symlinks and confirms the result is still inside the root: a link
// in the web root must not hand out files from elsewhere.
std::optional<fs::path> resolve_inside(const fs::path& root, const fs::path& p) {
    std::error_code ec;
    const fs::path real = fs::weakly_canonical(p, ec);
    if (ec || !is_within(root, real)) return std::nullopt;
    return real;
}

std::optional<std::string> read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return bytes.str();
}

std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

}  // namespace

std::string content_type_for(const std::string& path) {
    struct Type {
        const char* extension;
        const char* content_type;
    };
    static constexpr Type kTypes[] = {
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".wasm", "application/wasm"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", kPlainText},
        {".md", kPlainText},
        // Example sources are shown as text, never run or downloaded.
        {".py", kPlainText},
        {".c", kPlainText},
        {".h", kPlainText},
        {".cc", kPlainText},
        {".cpp", kPlainText},
        {".hpp", kPlainText},
    };
    const std::string extension = lowercase(fs::path(path).extension().string());
    for (const auto& t : kTypes)
        if (extension == t.extension) return t.content_type;
    return "application/octet-stream";
}

StaticResponse serve_static(const std::string& web_root, const std::string& target) {
    try {
        const std::string raw_path = strip_query_and_fragment(target);
        if (raw_path.empty() || raw_path.front() != '/') return error_response(400, "400 Bad Request");
        const auto path = percent_decode(raw_path);
        if (!path) return error_response(400, "400 Bad Request: bad percent escape");
        const auto segments = safe_segments(*path);
        if (!segments) return error_response(403, "403 Forbidden");

        std::error_code ec;
        const fs::path root = fs::canonical(web_root, ec);
        if (ec) return error_response(404, "404 Not Found: web root is missing");

        fs::path wanted = root;
        for (const auto& s : *segments) wanted /= s;
        auto file = resolve_inside(root, wanted);
        if (!file) return error_response(403, "403 Forbidden");
        if (fs::is_directory(*file, ec)) {
            // The index may itself be a link, so it is checked again.
            file = resolve_inside(root, *file / "index.html");
            if (!file) return error_response(403, "403 Forbidden");
        } else if (path->back() == '/') {
            return error_response(404, "404 Not Found");  // "/file.txt/" names a directory
        }
        if (!fs::is_regular_file(*file, ec)) return error_response(404, "404 Not Found");

        auto bytes = read_file(*file);
        if (!bytes) return error_response(403, "403 Forbidden: not readable");
        return StaticResponse{200, content_type_for(file->string()), std::move(*bytes)};
    } catch (const std::exception&) {
        // Out of memory or a filesystem surprise: never let it reach the server loop.
        return error_response(500, "500 Internal Server Error");
    }
}

}  // namespace sockgate::gateway
