// Request targets of GET /... mapped to files under the web root, against a
// temporary web root with a subdirectory, an index, compressed siblings and
// symbolic links that point inside and outside it.
// Input: the target, then optionally "\n" Accept-Encoding "\n" If-None-Match.
// Checks: resolve_static_path only ever names a regular file inside the root,
// never the secret beside it; serve_static never answers 500 (an exception)
// and never sends the secret.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gateway/static_files.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace sockgate::gateway;
namespace fs = std::filesystem;

namespace {

constexpr const char* kSecret = "SECRET-outside-the-web-root";

fs::path g_base;  // holds web/ and the secret beside it
std::string g_root;
std::string g_root_canonical;

void write(const fs::path& p, const std::string& bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
}

void make_web_root() {
    char tmpl[] = "/tmp/sockgate-fuzz-static-XXXXXX";
    FUZZ_CHECK(mkdtemp(tmpl) != nullptr, "mkdtemp failed");
    g_base = tmpl;
    const fs::path web = g_base / "web";
    write(web / "index.html", "<!doctype html>index");
    write(web / "app.js", "console.log(1)");
    write(web / "app.js.br", "br-bytes");
    write(web / "app.js.gz", "gz-bytes");
    write(web / "sub dir" / "index.html", "sub index");
    write(web / "sub dir" / "a%b.txt", "percent");
    write(web / "examples" / "echo.py", "print()");
    write(web / "examples" / "echo.py.gz", "gz");
    fs::create_directories(web / "empty");
    write(g_base / "secret.txt", kSecret);
    write(g_base / "outside" / "index.html", kSecret);
    fs::create_symlink("../secret.txt", web / "leak.txt");
    fs::create_symlink(g_base / "outside", web / "leakdir");
    fs::create_symlink("app.js", web / "alias.js");
    fs::create_symlink("sub dir", web / "alias-dir");
    fs::create_symlink("../secret.txt", web / "index.txt.gz");
    write(web / "index.txt", "plain");
    g_root = web.string();
    g_root_canonical = fs::canonical(web).string();
}

void remove_web_root() {
    std::error_code ec;
    fs::remove_all(g_base, ec);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    make_web_root();
    std::atexit(remove_web_root);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 4096) return 0;
    const std::string input(reinterpret_cast<const char*>(data), size);
    const size_t nl1 = input.find('\n');
    const std::string target = input.substr(0, nl1);
    std::string accept_encoding, if_none_match;
    if (nl1 != std::string::npos) {
        const size_t nl2 = input.find('\n', nl1 + 1);
        accept_encoding = input.substr(nl1 + 1, nl2 == std::string::npos ? std::string::npos : nl2 - nl1 - 1);
        if (nl2 != std::string::npos) if_none_match = input.substr(nl2 + 1);
    }

    const ResolvedPath resolved = resolve_static_path(g_root, target);
    FUZZ_CHECK(resolved.status == 200 || resolved.status == 400 || resolved.status == 403 || resolved.status == 404,
               "status %d", resolved.status);
    if (resolved.status == 200) {
        const std::string& f = resolved.file;
        FUZZ_CHECK(f.compare(0, g_root_canonical.size() + 1, g_root_canonical + "/") == 0,
                   "'%s' resolved outside the root: %s", target.c_str(), f.c_str());
        std::error_code ec;
        FUZZ_CHECK(fs::is_regular_file(f, ec), "'%s' resolved to a non-file %s", target.c_str(), f.c_str());
        FUZZ_CHECK(fs::equivalent(fs::canonical(f, ec), f, ec), "not canonical: %s", f.c_str());
    } else {
        FUZZ_CHECK(resolved.file.empty(), "an error with a file");
    }

    const StaticResponse r = serve_static(g_root, StaticRequest{target, accept_encoding, if_none_match});
    FUZZ_CHECK(r.status != 500, "'%s' made serve_static fail: %s", target.c_str(), std::string(r.body).c_str());
    FUZZ_CHECK(r.body.find(kSecret) == std::string_view::npos, "'%s' served the secret", target.c_str());
    FUZZ_CHECK((r.status == 200 || r.status == 304) == (resolved.status == 200),
               "serve_static %d but resolver %d for '%s'", r.status, resolved.status, target.c_str());

    // The header parsers on their own.
    (void)parse_accept_encoding(accept_encoding);
    (void)if_none_match_matches(if_none_match, "\"1a-2b\"");
    (void)content_type_for(target);
    return 0;
}
