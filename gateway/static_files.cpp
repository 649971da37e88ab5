#include "gateway/static_files.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iterator>
#include <optional>
#include <sstream>
#include <vector>

namespace sockgate::gateway {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPlainText = "text/plain; charset=utf-8";

StaticResponse error_response(int status, const std::string& text) {
    StaticResponse r;
    r.status = status;
    r.content_type = kPlainText;
    r.storage = std::make_shared<const std::string>(text + "\n");
    r.body = *r.storage;
    return r;
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
std::string strip_query_and_fragment(const std::string& target) { return target.substr(0, target.find_first_of("?#")); }

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

std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// ---- Accept-Encoding and If-None-Match ----

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

// "a, b;q=1" split on ',' -> {"a", " b;q=1"}; always at least one piece.
std::vector<std::string_view> split(std::string_view s, char separator) {
    std::vector<std::string_view> pieces;
    size_t start = 0;
    for (size_t end; (end = s.find(separator, start)) != std::string_view::npos; start = end + 1)
        pieces.push_back(s.substr(start, end - start));
    pieces.push_back(s.substr(start));
    return pieces;
}

// tchar of RFC 9110 5.6.2. ASCII only, whatever the locale says.
bool is_token_char(char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char); }

// A qvalue (RFC 9110 12.4.2: "0", "0.5", "1.000", at most three decimals,
// never above 1) in thousandths.
std::optional<int> parse_qvalue(std::string_view s) {
    if (s.empty() || (s[0] != '0' && s[0] != '1')) return std::nullopt;
    if (s.size() > 1 && s[1] != '.') return std::nullopt;
    if (s.size() > 5) return std::nullopt;
    int thousandths = 0;
    for (size_t i = 2; i < 5; ++i) {
        const char c = i < s.size() ? s[i] : '0';
        if (c < '0' || c > '9') return std::nullopt;
        thousandths = thousandths * 10 + (c - '0');
    }
    const int q = (s[0] - '0') * 1000 + thousandths;
    if (q > 1000) return std::nullopt;
    return q;
}

// Where a coding's weight goes; nullptr for codings this server never sends
// (deflate, zstd, ...), which are then simply not used.
int* weight_slot(AcceptEncoding& accepted, const std::string& coding) {
    if (coding == "br") return &accepted.br;
    if (coding == "gzip" || coding == "x-gzip") return &accepted.gzip;  // RFC 9110 8.4.1.3: the same
    if (coding == "identity") return &accepted.identity;
    if (coding == "*") return &accepted.any;
    return nullptr;
}

// A coding named twice keeps its lower weight: a refusal anywhere stands.
void record_weight(int& slot, int weight) {
    slot = slot == AcceptEncoding::kNotListed ? weight : std::min(slot, weight);
}

// The weight the client gives a coding: its own, else that of "*".
int weight_of(int listed, const AcceptEncoding& accepted) {
    return listed != AcceptEncoding::kNotListed ? listed : accepted.any;
}

const char* encoding_name(ContentCoding coding) {
    switch (coding) {
        case ContentCoding::br:
            return "br";
        case ContentCoding::gzip:
            return "gzip";
        case ContentCoding::identity:
            break;
    }
    return "";
}

const char* sibling_suffix(ContentCoding coding) {
    switch (coding) {
        case ContentCoding::br:
            return ".br";
        case ContentCoding::gzip:
            return ".gz";
        case ContentCoding::identity:
            break;
    }
    return "";
}

// ---- files ----

// The file a request target names, or the error to answer instead.
struct FileLookup {
    fs::path root;  // canonical
    fs::path file;  // canonical, inside root, a regular file
    std::optional<StaticResponse> error;
};

FileLookup find_file(const std::string& web_root, const std::string& target) {
    const auto fail = [](int status, const std::string& text) {
        return FileLookup{{}, {}, error_response(status, text)};
    };
    const std::string raw_path = strip_query_and_fragment(target);
    if (raw_path.empty() || raw_path.front() != '/') return fail(400, "400 Bad Request");
    const auto path = percent_decode(raw_path);
    if (!path) return fail(400, "400 Bad Request: bad percent escape");
    const auto segments = safe_segments(*path);
    if (!segments) return fail(403, "403 Forbidden");

    std::error_code ec;
    const fs::path root = fs::canonical(web_root, ec);
    if (ec) return fail(404, "404 Not Found: web root is missing");

    fs::path wanted = root;
    for (const auto& s : *segments) wanted /= s;
    auto file = resolve_inside(root, wanted);
    if (!file) return fail(403, "403 Forbidden");
    if (fs::is_directory(*file, ec)) {
        // The index may itself be a link, so it is checked again.
        file = resolve_inside(root, *file / "index.html");
        if (!file) return fail(403, "403 Forbidden");
    } else if (path->back() == '/') {
        return fail(404, "404 Not Found");  // "/file.txt/" names a directory
    }
    if (!fs::is_regular_file(*file, ec)) return fail(404, "404 Not Found");
    return FileLookup{root, *file, std::nullopt};
}

// FILE.br or FILE.gz when it may stand in for FILE: a regular file inside the
// root (a sibling that is a link out is no more trusted than any other link),
// and not older than FILE, since an older one predates FILE's last change
// and would send stale bytes until web/compress.mjs runs again.
std::optional<fs::path> fresh_sibling(const fs::path& root, const fs::path& file, ContentCoding coding) {
    const auto sibling = resolve_inside(root, fs::path(file.string() + sibling_suffix(coding)));
    std::error_code ec;
    if (!sibling || !fs::is_regular_file(*sibling, ec)) return std::nullopt;
    const auto sibling_time = fs::last_write_time(*sibling, ec);
    if (ec) return std::nullopt;
    const auto file_time = fs::last_write_time(file, ec);
    if (ec || sibling_time < file_time) return std::nullopt;
    return sibling;
}

// A strong ETag from size and modification time: they change with every
// version of a file and cost a stat, not a read. The coding keeps the plain
// and compressed bodies of one file apart, as strong ETags must.
std::string etag_of(const FileVersion& version, ContentCoding coding) {
    std::ostringstream tag;
    tag << '"' << std::hex << version.size << '-' << uint64_t(version.mtime_ns);
    if (coding != ContentCoding::identity) tag << '-' << encoding_name(coding);
    tag << '"';
    return tag.str();
}

StaticResponse not_modified(std::string etag, bool vary) {
    // No Content-Type: a 304 carries only what updates the cached copy.
    StaticResponse r;
    r.status = 304;
    r.etag = std::move(etag);
    r.vary_accept_encoding = vary;
    return r;
}

}  // namespace

std::optional<AcceptEncoding> parse_accept_encoding(std::string_view header) {
    AcceptEncoding accepted;
    for (const std::string_view element : split(header, ',')) {
        const auto parts = split(element, ';');
        const std::string coding = lowercase(std::string(trim_ows(parts[0])));
        if (coding.empty() && parts.size() == 1) continue;  // "gzip,,br": empty list elements are allowed
        if (!is_token(coding)) return std::nullopt;
        int weight = 1000;
        for (size_t i = 1; i < parts.size(); ++i) {
            const std::string_view parameter = trim_ows(parts[i]);
            const size_t equals = parameter.find('=');
            if (lowercase(std::string(trim_ows(parameter.substr(0, equals)))) != "q") continue;  // none other defined
            if (equals == std::string_view::npos) return std::nullopt;
            const auto q = parse_qvalue(trim_ows(parameter.substr(equals + 1)));
            if (!q) return std::nullopt;
            weight = *q;
        }
        if (int* slot = weight_slot(accepted, coding)) record_weight(*slot, weight);
    }
    return accepted;
}

ContentCoding choose_coding(std::string_view accept_encoding, bool have_br, bool have_gzip) {
    const auto accepted = parse_accept_encoding(accept_encoding);
    if (!accepted) return ContentCoding::identity;  // unreadable: the one answer every client takes
    const int br = have_br ? weight_of(accepted->br, *accepted) : 0;
    const int gzip = have_gzip ? weight_of(accepted->gzip, *accepted) : 0;
    const int best = std::max(br, gzip);
    if (best <= 0) return ContentCoding::identity;
    // Identity needs no weight to be acceptable; it wins only when the client
    // explicitly weighs it above every coding on offer.
    if (weight_of(accepted->identity, *accepted) > best) return ContentCoding::identity;
    return br >= gzip ? ContentCoding::br : ContentCoding::gzip;
}

bool if_none_match_matches(std::string_view header, std::string_view etag) {
    const std::string_view wanted = etag.substr(std::min(etag.find('"'), etag.size()));
    size_t i = 0;
    while (i < header.size()) {
        if (is_ows(header[i]) || header[i] == ',') {
            ++i;
            continue;
        }
        if (header[i] == '*') return true;
        if (header.substr(i, 2) == "W/") i += 2;
        // An entity-tag is a quoted string that may hold commas, so the list
        // is read tag by tag rather than split.
        if (i >= header.size() || header[i] != '"') return false;
        const size_t close = header.find('"', i + 1);
        if (close == std::string_view::npos) return false;
        if (header.substr(i, close - i + 1) == wanted) return true;
        i = close + 1;
    }
    return false;
}

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
        // Browsers compile wasm while it downloads only when served with this type.
        {".wasm", "application/wasm"},
        {".zip", "application/zip"},
        {".gz", "application/gzip"},  // asked for by name: the compressed file itself
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
    return "application/octet-stream";  // .data, .br and anything unknown
}

StaticResponse serve_static(FileCache& cache, const std::string& web_root, const StaticRequest& request) {
    try {
        const FileLookup found = find_file(web_root, request.target);
        if (found.error) return *found.error;

        const auto br = fresh_sibling(found.root, found.file, ContentCoding::br);
        const auto gzip = fresh_sibling(found.root, found.file, ContentCoding::gzip);
        const bool vary = br || gzip;
        const ContentCoding chosen = choose_coding(request.accept_encoding, br.has_value(), gzip.has_value());
        const auto path_of = [&](ContentCoding coding) -> const fs::path& {
            return coding == ContentCoding::br ? *br : coding == ContentCoding::gzip ? *gzip : found.file;
        };
        // A sibling that vanished or broke since it was looked at (a rebuild
        // under way) must not fail the request: the plain file still answers.
        std::vector<ContentCoding> candidates{chosen};
        if (chosen != ContentCoding::identity) candidates.push_back(ContentCoding::identity);
        for (const ContentCoding coding : candidates) {
            const std::string path = path_of(coding).string();
            const auto version = file_version(path);
            if (!version) continue;
            if (std::string etag = etag_of(*version, coding); if_none_match_matches(request.if_none_match, etag))
                return not_modified(std::move(etag), vary);
            const auto file = cache.get(path);
            if (!file) continue;
            StaticResponse r;
            r.status = 200;
            r.content_type = content_type_for(found.file.string());  // of the file, not of the .br/.gz
            r.content_encoding = encoding_name(coding);
            r.etag = etag_of(file->version, coding);  // of the bytes read, should the file have changed since
            r.vary_accept_encoding = vary;
            r.storage = std::shared_ptr<const std::string>(file, &file->bytes);
            r.body = *r.storage;
            return r;
        }
        return error_response(403, "403 Forbidden: not readable");
    } catch (const std::exception&) {
        // Out of memory or a filesystem surprise: never let it reach the server loop.
        return error_response(500, "500 Internal Server Error");
    }
}

StaticResponse serve_static(const std::string& web_root, const StaticRequest& request) {
    FileCache cache;
    return serve_static(cache, web_root, request);
}

ResolvedPath resolve_static_path(const std::string& web_root, const std::string& target) {
    const FileLookup found = find_file(web_root, target);
    if (found.error) return ResolvedPath{found.error->status, {}};
    return ResolvedPath{200, found.file.string()};
}

StaticResponse serve_static(const std::string& web_root, const std::string& target) {
    return serve_static(web_root, StaticRequest{target, "", ""});
}

}  // namespace sockgate::gateway
