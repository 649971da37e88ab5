#include "gateway/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace sockgate::gateway {
namespace {

namespace fs = std::filesystem;

// A temporary tree:
//   <base>/root/index.html, app.js, mod.mjs, data.bin, "with space.txt",
//   <base>/root/sub/index.html, <base>/root/sub/page.html, <base>/root/empty/,
//   <base>/secret.txt (outside the root), and links inside root that point out.
class StaticFiles : public ::testing::Test {
protected:
    void SetUp() override {
        base_ = fs::temp_directory_path() /
                ("sockgate-static-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(base_);
        root_ = base_ / "root";
        fs::create_directories(root_ / "sub");
        fs::create_directories(root_ / "empty");
        put(root_ / "index.html", "<h1>home</h1>");
        put(root_ / "app.js", "console.log(1)");
        put(root_ / "mod.mjs", "export {}");
        put(root_ / "data.bin", std::string("\0\1\2\xff", 4));
        put(root_ / "with space.txt", "spaced");
        put(root_ / "sub" / "index.html", "<h1>sub</h1>");
        put(root_ / "sub" / "page.html", "<h1>page</h1>");
        put(base_ / "secret.txt", "secret");
        fs::create_directories(base_ / "outside-dir");
        put(base_ / "outside-dir" / "index.html", "outside index");
    }
    void TearDown() override { fs::remove_all(base_); }

    static void put(const fs::path& p, const std::string& bytes) {
        std::ofstream(p, std::ios::binary) << bytes;
    }
    StaticResponse get(const std::string& target) const { return serve_static(root_.string(), target); }

    fs::path base_;
    fs::path root_;
};

TEST_F(StaticFiles, ServesFileBytesAndType) {
    const auto r = get("/app.js");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "console.log(1)");
    EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
}

TEST_F(StaticFiles, ServesBinaryFilesUnchanged) {
    const auto r = get("/data.bin");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, std::string("\0\1\2\xff", 4));
    EXPECT_EQ(r.content_type, "application/octet-stream");
}

TEST_F(StaticFiles, RootMapsToIndexHtml) {
    const auto r = get("/");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "<h1>home</h1>");
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
}

TEST_F(StaticFiles, DirectoryMapsToItsIndexWithOrWithoutSlash) {
    EXPECT_EQ(get("/sub/").body, "<h1>sub</h1>");
    EXPECT_EQ(get("/sub").body, "<h1>sub</h1>");
    EXPECT_EQ(get("/sub").status, 200);
}

TEST_F(StaticFiles, DirectoryWithoutIndexIsNotFound) { EXPECT_EQ(get("/empty/").status, 404); }

TEST_F(StaticFiles, StripsQueryAndFragment) {
    EXPECT_EQ(get("/sub/page.html?x=1&y=../../secret.txt").body, "<h1>page</h1>");
    EXPECT_EQ(get("/sub/page.html#top").body, "<h1>page</h1>");
    EXPECT_EQ(get("/?v=3").body, "<h1>home</h1>");
}

TEST_F(StaticFiles, PercentDecodesPath) {
    const auto r = get("/with%20space.txt");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "spaced");
    EXPECT_EQ(get("/%61pp.js").body, "console.log(1)");  // %61 is 'a'
    EXPECT_EQ(get("/%61PP.js").status, 404);               // decoding does not fold case
}

TEST_F(StaticFiles, BadPercentEscapeIsBadRequest) {
    EXPECT_EQ(get("/app.js%").status, 400);
    EXPECT_EQ(get("/app.js%2").status, 400);
    EXPECT_EQ(get("/app%zz.js").status, 400);
}

TEST_F(StaticFiles, TargetMustBeAnAbsolutePath) {
    EXPECT_EQ(get("").status, 400);
    EXPECT_EQ(get("app.js").status, 400);
    EXPECT_EQ(get("http://localhost/app.js").status, 400);
}

TEST_F(StaticFiles, MissingFileIsNotFound) {
    const auto r = get("/nope.html");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
    EXPECT_FALSE(r.body.empty());
}

TEST_F(StaticFiles, FileWithTrailingSlashIsNotFound) { EXPECT_EQ(get("/app.js/").status, 404); }

TEST_F(StaticFiles, DotDotSegmentsAreForbidden) {
    EXPECT_EQ(get("/../secret.txt").status, 403);
    EXPECT_EQ(get("/sub/../../secret.txt").status, 403);
    EXPECT_EQ(get("/sub/../index.html").status, 403);  // even when it would stay inside
    EXPECT_EQ(get("/..").status, 403);
}

TEST_F(StaticFiles, EncodedTraversalIsForbidden) {
    EXPECT_EQ(get("/%2e%2e/secret.txt").status, 403);
    EXPECT_EQ(get("/%2E%2E%2Fsecret.txt").status, 403);
    EXPECT_EQ(get("/sub%2f..%2f..%2fsecret.txt").status, 403);
}

TEST_F(StaticFiles, BackslashIsForbidden) {
    EXPECT_EQ(get("/..\\secret.txt").status, 403);
    EXPECT_EQ(get("/sub%5cpage.html").status, 403);
}

TEST_F(StaticFiles, NulByteIsForbidden) {
    EXPECT_EQ(get("/app.js%00.html").status, 403);
    EXPECT_EQ(get(std::string("/app.js\0.html", 13)).status, 403);
}

TEST_F(StaticFiles, DotSegmentsAndDoubleSlashesStayInside) {
    EXPECT_EQ(get("/./sub//page.html").body, "<h1>page</h1>");
}

TEST_F(StaticFiles, SymlinkToFileOutsideRootIsRefused) {
    fs::create_symlink(base_ / "secret.txt", root_ / "leak.txt");
    const auto r = get("/leak.txt");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.body.find("secret"), std::string::npos);
}

TEST_F(StaticFiles, SymlinkToDirectoryOutsideRootIsRefused) {
    fs::create_directory_symlink(base_, root_ / "up");
    EXPECT_EQ(get("/up/secret.txt").status, 403);
    EXPECT_EQ(get("/up/outside-dir/").status, 403);
}

TEST_F(StaticFiles, IndexSymlinkOutsideRootIsRefused) {
    fs::create_directories(root_ / "linked");
    fs::create_symlink(base_ / "outside-dir" / "index.html", root_ / "linked" / "index.html");
    EXPECT_EQ(get("/linked/").status, 403);
}

TEST_F(StaticFiles, SymlinkInsideRootIsServed) {
    fs::create_symlink(root_ / "app.js", root_ / "alias.js");
    const auto r = get("/alias.js");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "console.log(1)");
}

TEST_F(StaticFiles, RootReachedThroughSymlinkStillWorks) {
    fs::create_directory_symlink(root_, base_ / "root-link");
    const auto r = serve_static((base_ / "root-link").string(), "/app.js");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(serve_static((base_ / "root-link").string(), "/../secret.txt").status, 403);
}

TEST_F(StaticFiles, SiblingWithRootAsNamePrefixIsOutside) {
    // "<base>/root-evil" starts with the text "<base>/root" but is not inside it.
    fs::create_directories(base_ / "root-evil");
    put(base_ / "root-evil" / "x.txt", "evil");
    fs::create_symlink(base_ / "root-evil" / "x.txt", root_ / "x.txt");
    EXPECT_EQ(get("/x.txt").status, 403);
}

TEST_F(StaticFiles, MissingWebRootIsNotFound) {
    EXPECT_EQ(serve_static((base_ / "no-such-root").string(), "/").status, 404);
}

TEST(ContentType, KnownExtensions) {
    EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(content_type_for("/a/b/app.js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("mod.mjs"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("style.css"), "text/css; charset=utf-8");
    EXPECT_EQ(content_type_for("x.json"), "application/json");
    EXPECT_EQ(content_type_for("client.wasm"), "application/wasm");
    EXPECT_EQ(content_type_for("logo.svg"), "image/svg+xml");
    EXPECT_EQ(content_type_for("logo.png"), "image/png");
    EXPECT_EQ(content_type_for("favicon.ico"), "image/x-icon");
    EXPECT_EQ(content_type_for("notes.txt"), "text/plain; charset=utf-8");
    EXPECT_EQ(content_type_for("app.js.map"), "application/json");
}

TEST(ContentType, SourceFilesAreShownAsText) {
    for (const char* name : {"echo.py", "main.c", "main.cpp", "sock.hpp"})
        EXPECT_EQ(content_type_for(name), "text/plain; charset=utf-8") << name;
}

TEST(ContentType, ExtensionIsCaseInsensitive) {
    EXPECT_EQ(content_type_for("INDEX.HTML"), "text/html; charset=utf-8");
    EXPECT_EQ(content_type_for("Client.Wasm"), "application/wasm");
}

TEST(ContentType, UnknownOrMissingExtensionIsOctetStream) {
    EXPECT_EQ(content_type_for("archive.tar.xz"), "application/octet-stream");
    EXPECT_EQ(content_type_for("README"), "application/octet-stream");
    EXPECT_EQ(content_type_for("dir.html/file"), "application/octet-stream");
    EXPECT_EQ(content_type_for(""), "application/octet-stream");
}

}  // namespace
}  // namespace sockgate::gateway
