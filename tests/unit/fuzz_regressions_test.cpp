// Inputs the fuzzers (tests/fuzz) found to crash something, as plain tests in
// the normal build. Each names the fuzz target and the saved input it
// reproduces (tests/fuzz/regressions/).
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "gateway/options.hpp"
#include "tests/client/fake_transport.hpp"
#include "wasm/core/client.hpp"

namespace sockgate {
namespace {

using nlohmann::json;

// config_file_fuzz, regressions/config_file_fuzz/number-overflow: a number
// beyond a double threw nlohmann's out_of_range 406 out of parse_options
// (read_config caught parse_error only), so the gateway died with
// "terminate called" instead of naming the file and the problem.
TEST(FuzzRegressions, ConfigNumberBeyondADoubleIsAnOptionsError) {
    gateway::Options options;
    try {
        gateway::apply_config_text(R"({"max_frame": 1e400})", "big.json", options);
        ADD_FAILURE() << "no error";
    } catch (const gateway::OptionsError& e) {
        EXPECT_NE(std::string(e.what()).find("--config big.json: not valid JSON"), std::string::npos) << e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not an OptionsError: " << e.what();
    }
    EXPECT_EQ(options.max_frame, gateway::Options{}.max_frame) << "options untouched";
}

// client_core_fuzz, regressions/client_core_fuzz/error-reply-without-code: an
// error reply whose "error" object has no string "code" threw ProtocolError
// out of Client::on_text (on_reply caught only nlohmann's exceptions), which
// aborts the page's wasm. It must fail the request with EBADMSG instead.
TEST(FuzzRegressions, ClientErrorReplyWithoutCodeFailsTheRequest) {
    client::testing::FakeTransport t;
    client::Client c(t);
    uint64_t bad = 0;
    c.events().on_bad_input = [&](const proto::ErrorInfo&) { ++bad; };
    t.open();
    for (const json& error : {json::object(), json{{"code", 5}}, json{{"message", "no code"}}, json("EIO")}) {
        std::optional<client::Result<proto::SocketReply>> got;
        const int64_t id = c.connect("127.0.0.1", 7, [&](client::Result<proto::SocketReply> r) { got = r; });
        ASSERT_NO_THROW(t.inject_json({{"op", "connect"}, {"id", id}, {"ok", false}, {"error", error}}))
            << error.dump();
        ASSERT_TRUE(got) << error.dump();
        EXPECT_EQ(got->code(), "EBADMSG");
    }
    EXPECT_EQ(c.pending_requests(), 0u);
    EXPECT_EQ(bad, 4u);
}

}  // namespace
}  // namespace sockgate
