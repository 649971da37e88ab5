// Each malformed message the soak's hostile session sends, on its own: the
// gateway must answer with an error and keep the session (docs/PROTOCOL.md
// §3.1 and §4), which a good request afterwards shows.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/blocking_client.hpp"
#include "support/gateway_process.hpp"

namespace {

using namespace std::chrono_literals;
using sockgate::client::BlockingClient;

struct BadInput {
    const char* name;
    bool binary;
    std::string bytes;
};

std::string be32(uint32_t n) { return {char(n >> 24), char(n >> 16), char(n >> 8), char(n)}; }

std::vector<BadInput> bad_inputs() {
    return {
        {"port_1e400", false, R"({"op":"connect","id":7,"proto":"tcp","host":"127.0.0.1","port":1e400})"},
        {"id_1e400", false, R"({"op":"close","id":1e400,"sock":1})"},
        {"port_80_0", false, R"({"op":"connect","id":7,"proto":"tcp","host":"127.0.0.1","port":80.0})"},
        {"long_unknown_op", false, R"({"op":")" + std::string(4000, 'x') + R"(","id":7})"},
        {"not_json", false, "{not json"},
        {"json_array", false, "[1,2,3]"},
        {"no_id", false, R"({"op":"close","sock":4000000})"},
        {"data_unknown_socket", true, std::string(1, '\x01') + be32(4000000) + "data for nobody"},
        {"window_unknown_socket", true, std::string(1, '\x03') + be32(4000001) + be32(100)},
        {"short_frame", true, std::string("\x01\x00\x00", 3)},
        {"unknown_kind", true, std::string(1, '\x7f') + be32(1) + "zz"},
    };
}

class MalformedInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(MalformedInput, IsAnsweredAndTheSessionGoesOn) {
    sockgate::testing::GatewayProcess gw({"--quiet"});
    BlockingClient c;
    ASSERT_TRUE(c.start(gw.ws_url()));
    if (GetParam().binary)
        c.send_raw_binary(GetParam().bytes);
    else
        c.send_raw_text(GetParam().bytes);
    auto r = c.resolve("localhost", 5s);
    EXPECT_TRUE(r) << GetParam().name << ": " << r.describe();
    EXPECT_TRUE(c.session_open());
    EXPECT_TRUE(gw.alive());
}

INSTANTIATE_TEST_SUITE_P(Soak, MalformedInput, ::testing::ValuesIn(bad_inputs()),
                         [](const auto& case_info) { return std::string(case_info.param.name); });

}  // namespace
