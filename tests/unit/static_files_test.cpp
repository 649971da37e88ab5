#include "gateway/static_files.hpp"

#include <gtest/gtest.h>

#include <chrono>
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

    static void put(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }
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
    EXPECT_EQ(get("/%61PP.js").status, 404);             // decoding does not fold case
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

// ---- precompressed siblings and ETags ----

// The fixture's tree plus compressed siblings: app.js.br, app.js.gz,
// index.html.gz. Their bytes are stand-ins; the server never decodes them.
class CompressedFiles : public StaticFiles {
protected:
    void SetUp() override {
        StaticFiles::SetUp();
        put(root_ / "app.js.br", "BR(app.js)");
        put(root_ / "app.js.gz", "GZ(app.js)");
        put(root_ / "index.html.gz", "GZ(index)");
        // Written after their sources, but a coarse clock could give them
        // the same time; make them plainly newer.
        for (const char* name : {"app.js.br", "app.js.gz", "index.html.gz"})
            fs::last_write_time(root_ / name, fs::last_write_time(root_ / "app.js") + std::chrono::seconds(1));
    }
    StaticResponse get(const std::string& target, const std::string& accept_encoding,
                       const std::string& if_none_match = "") const {
        return serve_static(root_.string(), StaticRequest{target, accept_encoding, if_none_match});
    }
};

TEST_F(CompressedFiles, BrotliIsPreferredWhenBothAreAccepted) {
    const auto r = get("/app.js", "gzip, deflate, br");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "BR(app.js)");
    EXPECT_EQ(r.content_encoding, "br");
    EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8") << "the type of the file, not of the .br";
    EXPECT_TRUE(r.vary_accept_encoding);
}

TEST_F(CompressedFiles, GzipWhenOnlyGzipIsAccepted) {
    for (const char* header : {"gzip", "br;q=0, gzip", "GZIP", "x-gzip", "br;q=0.5, gzip;q=0.8"}) {
        const auto r = get("/app.js", header);
        EXPECT_EQ(r.body, "GZ(app.js)") << header;
        EXPECT_EQ(r.content_encoding, "gzip") << header;
    }
}

TEST_F(CompressedFiles, PlainWhenNothingIsAcceptedButStillVaries) {
    for (const char* header : {"", "identity", "deflate", "br;q=0, gzip;q=0", "*;q=0"}) {
        const auto r = get("/app.js", header);
        EXPECT_EQ(r.body, "console.log(1)") << header;
        EXPECT_EQ(r.content_encoding, "") << header;
        EXPECT_TRUE(r.vary_accept_encoding) << "a cache must not hand this to a client that takes br: " << header;
    }
}

TEST_F(CompressedFiles, MalformedAcceptEncodingFallsBackToPlain) {
    for (const char* header : {"br;q=abc", "gzip;q=2", "br;q", "\"br\"", "br;q=0.1234", "br,;q=1"}) {
        const auto r = get("/app.js", header);
        EXPECT_EQ(r.status, 200) << header;
        EXPECT_EQ(r.body, "console.log(1)") << header;
        EXPECT_EQ(r.content_encoding, "") << header;
    }
}

TEST_F(CompressedFiles, OnlyTheSiblingsThatExistAreUsed) {
    const auto r = get("/", "br, gzip");  // index.html has only a .gz
    EXPECT_EQ(r.body, "GZ(index)");
    EXPECT_EQ(r.content_encoding, "gzip");
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(get("/", "br").content_encoding, "");
}

TEST_F(CompressedFiles, FileWithoutSiblingsDoesNotVary) {
    const auto r = get("/mod.mjs", "br, gzip");
    EXPECT_EQ(r.body, "export {}");
    EXPECT_EQ(r.content_encoding, "");
    EXPECT_FALSE(r.vary_accept_encoding);
}

TEST_F(CompressedFiles, CompressedFileAskedForByNameIsAPlainFile) {
    const auto r = get("/app.js.gz", "gzip, br");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "GZ(app.js)");
    EXPECT_EQ(r.content_encoding, "") << "the client asked for the .gz file itself";
    EXPECT_EQ(r.content_type, "application/gzip");
}

TEST_F(CompressedFiles, SiblingOlderThanItsFileIsIgnored) {
    // app.js edited after the last compression: its .br holds old bytes.
    fs::last_write_time(root_ / "app.js.br", fs::last_write_time(root_ / "app.js") - std::chrono::seconds(10));
    const auto r = get("/app.js", "br, gzip");
    EXPECT_EQ(r.content_encoding, "gzip");
    EXPECT_EQ(r.body, "GZ(app.js)");
}

TEST_F(CompressedFiles, SiblingLinkOutOfTheRootIsIgnored) {
    fs::remove(root_ / "app.js.br");
    fs::create_symlink(base_ / "secret.txt", root_ / "app.js.br");
    const auto r = get("/app.js", "br");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "console.log(1)");
    EXPECT_EQ(r.body.find("secret"), std::string::npos);
}

TEST_F(CompressedFiles, SiblingThatIsADirectoryIsIgnored) {
    fs::remove(root_ / "app.js.br");
    fs::create_directory(root_ / "app.js.br");
    const auto r = get("/app.js", "br");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "console.log(1)");
    EXPECT_FALSE(get("/mod.mjs", "br").vary_accept_encoding);
}

TEST_F(CompressedFiles, ETagIsStableAndQuoted) {
    const auto first = get("/app.js", "br");
    const auto second = get("/app.js", "br");
    ASSERT_FALSE(first.etag.empty());
    EXPECT_EQ(first.etag, second.etag);
    EXPECT_EQ(first.etag.front(), '"');
    EXPECT_EQ(first.etag.back(), '"');
    EXPECT_EQ(first.etag.rfind("W/", 0), std::string::npos) << "strong, since the bytes are fixed";
}

TEST_F(CompressedFiles, ETagDiffersPerEncoding) {
    const std::string br = get("/app.js", "br").etag;
    const std::string gzip = get("/app.js", "gzip").etag;
    const std::string plain = get("/app.js", "").etag;
    EXPECT_NE(br, gzip);
    EXPECT_NE(br, plain);
    EXPECT_NE(gzip, plain);
}

TEST_F(CompressedFiles, ETagChangesWithTheFile) {
    const std::string before = get("/mod.mjs", "").etag;
    put(root_ / "mod.mjs", "export {a}");
    fs::last_write_time(root_ / "mod.mjs", fs::last_write_time(root_ / "mod.mjs") + std::chrono::seconds(5));
    EXPECT_NE(get("/mod.mjs", "").etag, before);
}

TEST_F(CompressedFiles, MatchingIfNoneMatchGives304WithoutBody) {
    const auto full = get("/app.js", "br");
    const auto r = get("/app.js", "br", full.etag);
    EXPECT_EQ(r.status, 304);
    EXPECT_TRUE(r.body.empty());
    EXPECT_EQ(r.etag, full.etag);
    EXPECT_TRUE(r.vary_accept_encoding) << "a 304 repeats Vary";
    EXPECT_EQ(r.content_encoding, "");
    EXPECT_EQ(get("/app.js", "br", "\"other\", W/" + full.etag).status, 304) << "weak comparison, in a list";
    EXPECT_EQ(get("/app.js", "br", "*").status, 304);
}

TEST_F(CompressedFiles, OtherETagGivesFullResponse) {
    const std::string br = get("/app.js", "br").etag;
    EXPECT_EQ(get("/app.js", "br", "\"stale\"").status, 200);
    // The br version's tag says nothing about the gzip bytes.
    const auto r = get("/app.js", "gzip", br);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "GZ(app.js)");
}

TEST_F(CompressedFiles, ErrorsCarryNoETag) {
    const auto r = get("/nope.js", "br", "*");
    EXPECT_EQ(r.status, 404);
    EXPECT_TRUE(r.etag.empty());
    EXPECT_EQ(get("/../secret.txt", "br").status, 403);
}

// ---- Accept-Encoding ----

constexpr int kNotListed = AcceptEncoding::kNotListed;

TEST(AcceptEncodingParse, WeightsInThousandths) {
    const auto a = parse_accept_encoding("gzip, br;q=0.9, *;q=0");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->gzip, 1000);
    EXPECT_EQ(a->br, 900);
    EXPECT_EQ(a->any, 0);
    EXPECT_EQ(a->identity, kNotListed);
}

TEST(AcceptEncodingParse, CaseAndSpacesDoNotMatter) {
    const auto a = parse_accept_encoding(" \tBR ; Q=0.25 ,\tGzip;q=1.000 , IDENTITY;q=0.");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->br, 250);
    EXPECT_EQ(a->gzip, 1000);
    EXPECT_EQ(a->identity, 0);
}

TEST(AcceptEncodingParse, QValueForms) {
    for (const auto& [text, weight] : std::vector<std::pair<std::string, int>>{
             {"0", 0}, {"0.", 0}, {"0.5", 500}, {"0.05", 50}, {"0.001", 1}, {"1", 1000}, {"1.", 1000}, {"1.0", 1000}}) {
        const auto a = parse_accept_encoding("br;q=" + text);
        ASSERT_TRUE(a) << text;
        EXPECT_EQ(a->br, weight) << text;
    }
}

TEST(AcceptEncodingParse, OtherCodingsAndEmptyElementsAreSkipped) {
    const auto a = parse_accept_encoding(", deflate, zstd;q=0.5,, compress ,");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->br, kNotListed);
    EXPECT_EQ(a->gzip, kNotListed);
    EXPECT_EQ(a->any, kNotListed);
}

TEST(AcceptEncodingParse, XGzipIsGzip) { EXPECT_EQ(parse_accept_encoding("x-gzip;q=0.3")->gzip, 300); }

TEST(AcceptEncodingParse, ARefusalAnywhereStands) {
    EXPECT_EQ(parse_accept_encoding("br, br;q=0")->br, 0);
    EXPECT_EQ(parse_accept_encoding("gzip;q=0, x-gzip")->gzip, 0);
}

TEST(AcceptEncodingParse, MalformedHeadersAreRejected) {
    for (const char* header :
         {"br;q=2", "br;q=1.5", "br;q=1.001", "br;q=0.1234", "br;q=abc", "br;q=", "br;q", "br;q=-1", "br;q=.5",
          "br;q=0.5x", "b r", "\"br\"", ";q=1", "br;q=0.5;q=x", "gz\xc3\xadp"}) {
        EXPECT_FALSE(parse_accept_encoding(header)) << header;
    }
}

TEST(AcceptEncodingParse, UnknownParametersAreIgnored) {
    const auto a = parse_accept_encoding("br;level=5;q=0.5");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->br, 500);
}

TEST(ChooseCoding, BrotliFirstThenGzip) {
    EXPECT_EQ(choose_coding("gzip, deflate, br", true, true), ContentCoding::br);
    EXPECT_EQ(choose_coding("gzip, deflate, br", false, true), ContentCoding::gzip);
    EXPECT_EQ(choose_coding("gzip, deflate, br", true, false), ContentCoding::br);
    EXPECT_EQ(choose_coding("gzip, deflate, br", false, false), ContentCoding::identity);
}

TEST(ChooseCoding, HighestWeightWinsAndBrotliBreaksTies) {
    EXPECT_EQ(choose_coding("br;q=0.5, gzip", true, true), ContentCoding::gzip);
    EXPECT_EQ(choose_coding("br;q=0.5, gzip;q=0.5", true, true), ContentCoding::br);
    EXPECT_EQ(choose_coding("br;q=0.001, gzip;q=0", true, true), ContentCoding::br);
}

TEST(ChooseCoding, ZeroWeightRefuses) {
    EXPECT_EQ(choose_coding("br;q=0, gzip", true, true), ContentCoding::gzip);
    EXPECT_EQ(choose_coding("br;q=0", true, true), ContentCoding::identity);
    EXPECT_EQ(choose_coding("gzip;q=0, br;q=0", true, true), ContentCoding::identity);
}

TEST(ChooseCoding, AnyCoversWhatIsNotNamed) {
    EXPECT_EQ(choose_coding("*", true, true), ContentCoding::br);
    EXPECT_EQ(choose_coding("*, br;q=0", true, true), ContentCoding::gzip);
    EXPECT_EQ(choose_coding("*;q=0", true, true), ContentCoding::identity);
    EXPECT_EQ(choose_coding("*;q=0, gzip", true, true), ContentCoding::gzip);
}

TEST(ChooseCoding, IdentityWinsOnlyWhenWeighedHigher) {
    EXPECT_EQ(choose_coding("gzip, identity", true, true), ContentCoding::gzip);
    EXPECT_EQ(choose_coding("br, identity;q=0", true, true), ContentCoding::br);
    EXPECT_EQ(choose_coding("br;q=0.5, identity", true, true), ContentCoding::identity);
    EXPECT_EQ(choose_coding("identity", true, true), ContentCoding::identity);
    // "*" speaks for identity too: plain at 1 beats gzip at 0.5.
    EXPECT_EQ(choose_coding("gzip;q=0.5, *", false, true), ContentCoding::identity);
}

TEST(ChooseCoding, NoOrBadHeaderMeansIdentity) {
    EXPECT_EQ(choose_coding("", true, true), ContentCoding::identity);
    EXPECT_EQ(choose_coding("br;q=x, gzip", true, true), ContentCoding::identity);
    EXPECT_EQ(choose_coding(std::string(100000, ','), true, true), ContentCoding::identity);
    EXPECT_EQ(choose_coding(std::string("br\0", 3), true, true), ContentCoding::identity);
}

// ---- If-None-Match ----

TEST(IfNoneMatch, MatchesExactTagInAList) {
    EXPECT_TRUE(if_none_match_matches("\"a1\"", "\"a1\""));
    EXPECT_TRUE(if_none_match_matches("\"x\", \"a1\"", "\"a1\""));
    EXPECT_TRUE(if_none_match_matches("\"x\",\"a1\" ", "\"a1\""));
    EXPECT_FALSE(if_none_match_matches("\"a2\"", "\"a1\""));
    EXPECT_FALSE(if_none_match_matches("\"A1\"", "\"a1\"")) << "tags are compared byte for byte";
    EXPECT_FALSE(if_none_match_matches("", "\"a1\""));
}

TEST(IfNoneMatch, WeakComparison) {
    EXPECT_TRUE(if_none_match_matches("W/\"a1\"", "\"a1\""));
    EXPECT_TRUE(if_none_match_matches("\"a1\"", "W/\"a1\""));
}

TEST(IfNoneMatch, StarMatchesAnything) { EXPECT_TRUE(if_none_match_matches("*", "\"a1\"")); }

TEST(IfNoneMatch, CommaInsideATagIsPartOfIt) {
    EXPECT_TRUE(if_none_match_matches("\"a,b\"", "\"a,b\""));
    EXPECT_FALSE(if_none_match_matches("\"a,b\"", "\"a\""));
    EXPECT_FALSE(if_none_match_matches("\"a,b\"", "\"b\""));
}

TEST(IfNoneMatch, MalformedListMatchesNothing) {
    EXPECT_FALSE(if_none_match_matches("a1", "\"a1\""));
    EXPECT_FALSE(if_none_match_matches("\"a1", "\"a1\""));
    EXPECT_FALSE(if_none_match_matches("x, \"a1\"", "\"a1\"")) << "reading stops at the first bad element";
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

TEST(ContentType, PyodideFiles) {
    EXPECT_EQ(content_type_for("pyodide/pyodide.asm.wasm"), "application/wasm");
    EXPECT_EQ(content_type_for("pyodide/pyodide.asm.mjs"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("pyodide/pyodide.mjs.map"), "application/json");
    EXPECT_EQ(content_type_for("pyodide/python_stdlib.zip"), "application/zip");
    EXPECT_EQ(content_type_for("pyodide/pyodide-lock.json"), "application/json");
    EXPECT_EQ(content_type_for("pyodide/x.data"), "application/octet-stream");
}

TEST(ContentType, CompressedFilesByName) {
    EXPECT_EQ(content_type_for("app.js.gz"), "application/gzip");
    EXPECT_EQ(content_type_for("app.js.br"), "application/octet-stream");
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
