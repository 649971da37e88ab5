#include "gateway/options.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace sockgate::gateway {
namespace {

namespace fs = std::filesystem;

using Env = std::map<std::string, std::string>;

// Runs parse_options on {"sockgate", args...} with exactly the environment
// `env` (none by default: the test process's own must not leak in).
ParseOutcome parse(std::initializer_list<std::string> args, Options& out, const Env& env = {}) {
    std::vector<std::string> storage{"sockgate"};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<const char*> argv;
    for (const auto& s : storage) argv.push_back(s.c_str());
    return parse_options(int(argv.size()), argv.data(), out, [&env](const std::string& name) -> const char* {
        const auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    });
}

Options parsed_env(const Env& env, std::initializer_list<std::string> args = {}) {
    Options o;
    EXPECT_EQ(parse(args, o, env), ParseOutcome::run);
    return o;
}

void expect_env_error(const Env& env, const std::string& needle) {
    Options o;
    try {
        parse({}, o, env);
        ADD_FAILURE() << "no OptionsError; expected one mentioning '" << needle << "'";
    } catch (const OptionsError& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
            << "message lacks '" << needle << "': " << e.what();
    }
}

Options parsed(std::initializer_list<std::string> args) {
    Options o;
    EXPECT_EQ(parse(args, o), ParseOutcome::run);
    return o;
}

// Asserts that parsing throws OptionsError whose message mentions `needle`.
void expect_error(std::initializer_list<std::string> args, const std::string& needle) {
    Options o;
    try {
        parse(args, o);
        ADD_FAILURE() << "no OptionsError; expected one mentioning '" << needle << "'";
    } catch (const OptionsError& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
            << "message lacks '" << needle << "': " << e.what();
    }
}

// A config file in a fresh temporary directory, removed afterwards.
class ConfigFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("sockgate-options-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& json_text) {
        const fs::path p = dir_ / "sockgate.json";
        std::ofstream(p) << json_text;
        return p.string();
    }
    fs::path dir_;
};

// ---- defaults and outcomes ----

TEST(Options, NoArgumentsKeepsDefaults) {
    const Options o = parsed({});
    const Options defaults;
    EXPECT_EQ(o.listen_host, defaults.listen_host);
    EXPECT_EQ(o.listen_port, defaults.listen_port);
    EXPECT_TRUE(o.demo);
    EXPECT_TRUE(o.allow.empty());
    EXPECT_EQ(o.max_frame, defaults.max_frame);
}

TEST(Options, HelpAndVersionAreOutcomes) {
    Options o;
    EXPECT_EQ(parse({"--help"}, o), ParseOutcome::help);
    EXPECT_EQ(parse({"-h"}, o), ParseOutcome::help);
    EXPECT_EQ(parse({"--version"}, o), ParseOutcome::version);
}

TEST(Options, HelpWinsOverAMissingConfigFile) {
    Options o;
    EXPECT_EQ(parse({"--config", "/nonexistent/sockgate.json", "--help"}, o), ParseOutcome::help);
}

TEST(Options, FailedParseLeavesOutputUntouched) {
    Options o;
    o.max_sockets = 5;
    EXPECT_THROW(parse({"--max-sockets", "7", "--bogus"}, o), OptionsError);
    EXPECT_THROW(parse({"--max-sockets", "7", "--window", "0"}, o), OptionsError);
    EXPECT_EQ(o.max_sockets, 5u);
}

// ---- each flag ----

TEST(Options, EveryFlagSetsItsField) {
    const Options o = parsed({"--listen",
                              "127.0.0.2:9000",
                              "--web-root",
                              "/srv/web",
                              "--no-demo",
                              "--demo-host",
                              "127.0.0.3",
                              "--demo-port",
                              "7000",
                              "--allow",
                              "tcp:127.0.0.0/8:*",
                              "--bind-allow",
                              "127.0.0.1:2000-3000",
                              "--origin",
                              "http://localhost:3000",
                              "--token",
                              "s3cret",
                              "--insecure-no-auth",
                              "--max-sessions",
                              "3",
                              "--max-sockets",
                              "4",
                              "--max-listeners",
                              "2",
                              "--max-frame",
                              "70000",
                              "--window",
                              "1000",
                              "--connect-timeout-ms",
                              "500",
                              "--udp-queue",
                              "9",
                              "--max-backlog",
                              "16",
                              "--quiet"});
    EXPECT_EQ(o.listen_host, "127.0.0.2");
    EXPECT_EQ(o.listen_port, 9000);
    EXPECT_EQ(o.web_root, "/srv/web");
    EXPECT_FALSE(o.demo);
    EXPECT_EQ(o.demo_host, "127.0.0.3");
    EXPECT_EQ(o.demo_port, 7000);
    EXPECT_EQ(o.allow, std::vector<std::string>{"tcp:127.0.0.0/8:*"});
    EXPECT_EQ(o.bind_allow, std::vector<std::string>{"127.0.0.1/32:2000-3000"});
    EXPECT_EQ(o.origins, std::vector<std::string>{"http://localhost:3000"});
    EXPECT_EQ(o.token, "s3cret");
    EXPECT_TRUE(o.insecure_no_auth);
    EXPECT_EQ(o.max_sessions, 3u);
    EXPECT_EQ(o.max_sockets, 4u);
    EXPECT_EQ(o.max_listeners, 2u);
    EXPECT_EQ(o.max_frame, 70000u);
    EXPECT_EQ(o.window, 1000u);
    EXPECT_EQ(o.connect_timeout_ms, 500u);
    EXPECT_EQ(o.udp_queue, 9u);
    EXPECT_EQ(o.max_backlog, 16u);
    EXPECT_TRUE(o.quiet);
}

TEST(Options, LookupFlagsAndKeysSetTheirFields) {
    const Options defaults;
    EXPECT_LT(defaults.max_lookups, defaults.lookup_threads) << "one session could occupy every lookup thread";
    const Options o = parsed({"--max-lookups", "2", "--lookup-threads", "3", "--resolve-timeout-ms", "700"});
    EXPECT_EQ(o.max_lookups, 2u);
    EXPECT_EQ(o.lookup_threads, 3u);
    EXPECT_EQ(o.resolve_timeout_ms, 700u);
    expect_error({"--max-lookups", "0"}, "--max-lookups: 0 is out of range");
    expect_error({"--lookup-threads", "0"}, "--lookup-threads: 0 is out of range");
    expect_error({"--resolve-timeout-ms", "0"}, "--resolve-timeout-ms: 0 is out of range");
}

TEST(Options, EqualsFormWorksLikeSeparateValue) {
    const Options o = parsed({"--listen=127.0.0.1:0", "--max-sockets=12", "--token=a=b"});
    EXPECT_EQ(o.listen_port, 0);
    EXPECT_EQ(o.max_sockets, 12u);
    EXPECT_EQ(o.token, "a=b");  // only the first '=' separates
}

TEST(Options, ListenAcceptsBracketedIpv6AndNames) {
    const Options v6 = parsed({"--listen", "[::1]:8081"});
    EXPECT_EQ(v6.listen_host, "::1");
    EXPECT_EQ(v6.listen_port, 8081);
    const Options name = parsed({"--listen", "localhost:8082"});
    EXPECT_EQ(name.listen_host, "localhost");
}

TEST(Options, ListenRejectsMalformedValues) {
    expect_error({"--listen", "127.0.0.1"}, "has no port");
    expect_error({"--listen", ":8080"}, "has no host");
    expect_error({"--listen", "::1:8080"}, "need brackets");
    expect_error({"--listen", "[::1]8080"}, "[IPv6]:PORT");
    expect_error({"--listen", "[nope]:8080"}, "not an IPv6 address");
    expect_error({"--listen", "127.0.0.1:65536"}, "out of range");
    expect_error({"--listen", "127.0.0.1:http"}, "not a whole number");
    expect_error({"--listen", "bad host:80"}, "not a host name");
}

TEST(Options, RepeatableFlagsAppend) {
    const Options o = parsed({"--allow", "tcp:127.0.0.1:80", "--allow", "udp:127.0.0.1:53", "--origin", "http://a",
                              "--origin", "http://b", "--bind-allow", "127.0.0.1:*", "--bind-allow", "[::1]:*"});
    EXPECT_EQ(o.allow, (std::vector<std::string>{"tcp:127.0.0.1/32:80", "udp:127.0.0.1/32:53"}));
    EXPECT_EQ(o.origins, (std::vector<std::string>{"http://a", "http://b"}));
    EXPECT_EQ(o.bind_allow, (std::vector<std::string>{"127.0.0.1/32:*", "::1/128:*"}));
}

TEST(Options, TrustProxyTakesCidrsInCanonicalForm) {
    const Options o =
        parsed({"--trust-proxy", "10.0.0.0/8", "--trust-proxy", "[fd00::]/8", "--trust-proxy", "127.0.0.1"});
    EXPECT_EQ(o.trust_proxy, (std::vector<std::string>{"10.0.0.0/8", "fd00::/8", "127.0.0.1/32"}));
    EXPECT_TRUE(parsed({}).trust_proxy.empty()) << "no proxy is trusted unless named";
    expect_error({"--trust-proxy", "10.0.0.0/33"}, "--trust-proxy: bad trust-proxy rule '10.0.0.0/33'");
    expect_error({"--trust-proxy", "proxy.example"}, "not a numeric IPv4 or IPv6 address");
    const Options env = parsed_env({{"SOCKGATE_TRUST_PROXY", "172.16.0.0/12, ::1"}});
    EXPECT_EQ(env.trust_proxy, (std::vector<std::string>{"172.16.0.0/12", "::1/128"}));
    expect_env_error({{"SOCKGATE_TRUST_PROXY", "10.0.0.0/8:80"}}, "SOCKGATE_TRUST_PROXY");
}

TEST(Options, BadRuleSyntaxIsReportedAtParseTime) {
    expect_error({"--allow", "tcp:127.0.0.1"}, "--allow: bad allow rule");
    expect_error({"--allow", "icmp:127.0.0.1:*"}, "unknown protocol 'icmp'");
    expect_error({"--bind-allow", "127.0.0.1:70000"}, "--bind-allow: bad bind-allow rule");
}

// ---- errors ----

TEST(Options, UnknownFlagsAndStrayArgumentsAreErrors) {
    expect_error({"--frobnicate"}, "unknown option '--frobnicate'");
    expect_error({"--demo"}, "unknown option '--demo'");  // config-file only
    expect_error({"stray"}, "unexpected argument 'stray'");
    expect_error({"-x"}, "unexpected argument '-x'");
    expect_error({"--"}, "unexpected argument '--'");
}

TEST(Options, MissingValueIsAnError) {
    expect_error({"--token"}, "--token needs a value");
    expect_error({"--listen", "--quiet"}, "--listen needs a value (HOST:PORT)");
}

TEST(Options, SwitchesTakeNoValue) { expect_error({"--quiet=yes"}, "--quiet takes no value"); }

TEST(Options, EmptyStringsAreRejected) {
    expect_error({"--token="}, "--token: must not be empty");
    expect_error({"--web-root="}, "--web-root: must not be empty");
}

TEST(Options, NumbersMustBeWholeAndInRange) {
    expect_error({"--max-sockets", "ten"}, "--max-sockets: 'ten' is not a whole number");
    expect_error({"--max-sockets", "-1"}, "not a whole number");
    expect_error({"--max-sockets", "+1"}, "not a whole number");
    expect_error({"--max-sockets", "1.5"}, "not a whole number");
    expect_error({"--max-sockets", "0"}, "out of range");
    expect_error({"--max-sessions", "99999999999999999999999"}, "out of range");
    expect_error({"--demo-port", "65536"}, "--demo-port: 65536 is out of range");
    expect_error({"--window", "0"}, "--window: 0 is out of range");
    expect_error({"--window", "2147483649"}, "out of range");
    expect_error({"--max-frame", "1023"}, "--max-frame: 1023 is out of range");
    expect_error({"--max-frame", "65599"}, "out of range");
    expect_error({"--connect-timeout-ms", "0"}, "out of range");
}

TEST(Options, NumberBoundsAreInclusive) {
    EXPECT_EQ(parsed({"--window", "2147483648"}).window, 2147483648u);
    EXPECT_EQ(parsed({"--window", "1"}).window, 1u);
    EXPECT_EQ(parsed({"--max-frame", "65600"}).max_frame, 65600u);
    EXPECT_EQ(parsed({"--demo-port", "65535"}).demo_port, 65535);
    EXPECT_EQ(parsed({"--max-listeners", "0"}).max_listeners, 0u);
}

TEST(Options, DemoHostMustBeAHost) {
    expect_error({"--demo-host", "a b"}, "not a host name or IP address");
    EXPECT_EQ(parsed({"--demo-host", "[::1]"}).demo_host, "::1");
}

// ---- authentication rule ----

TEST(Options, NonLoopbackListenNeedsTokenOrInsecureFlag) {
    expect_error({"--listen", "0.0.0.0:8080"}, "--token");
    expect_error({"--listen", "192.168.1.5:8080"}, "--insecure-no-auth");
    expect_error({"--listen", "[::]:8080"}, "--token");
    expect_error({"--listen", "example.com:8080"}, "--token");
    EXPECT_EQ(parsed({"--listen", "0.0.0.0:8080", "--token", "t"}).listen_host, "0.0.0.0");
    EXPECT_EQ(parsed({"--listen", "0.0.0.0:8080", "--insecure-no-auth"}).listen_host, "0.0.0.0");
}

// ---- TLS ----

TEST(Options, TlsNeedsBothCertificateAndKey) {
    expect_error({"--tls-cert", "c.pem"}, "--tls-cert needs --tls-key");
    expect_error({"--tls-key", "k.pem"}, "--tls-key needs --tls-cert");
    const Options o = parsed({"--tls-cert", "c.pem", "--tls-key", "k.pem"});
    EXPECT_EQ(o.tls_cert, "c.pem");
    EXPECT_EQ(o.tls_key, "k.pem");
    EXPECT_TRUE(parsed({}).tls_cert.empty()) << "TLS is off unless asked for";
}

TEST(Options, LoopbackListenNeedsNoToken) {
    for (const char* listen : {"127.0.0.1:1", "127.9.9.9:1", "[::1]:1", "localhost:1", "LOCALHOST:1"})
        EXPECT_NO_THROW(parsed({"--listen", listen})) << listen;
}

TEST(IsLoopbackHost, RecognisesOnlyLoopback) {
    EXPECT_TRUE(is_loopback_host("127.0.0.1"));
    EXPECT_TRUE(is_loopback_host("127.255.255.254"));
    EXPECT_TRUE(is_loopback_host("::1"));
    EXPECT_TRUE(is_loopback_host("[::1]"));
    EXPECT_TRUE(is_loopback_host("::ffff:127.0.0.1"));
    EXPECT_TRUE(is_loopback_host("localhost"));
    EXPECT_FALSE(is_loopback_host("128.0.0.1"));
    EXPECT_FALSE(is_loopback_host("0.0.0.0"));
    EXPECT_FALSE(is_loopback_host("::"));
    EXPECT_FALSE(is_loopback_host("::2"));
    EXPECT_FALSE(is_loopback_host("::ffff:10.0.0.1"));
    EXPECT_FALSE(is_loopback_host("localhost.example.com"));
    EXPECT_FALSE(is_loopback_host(""));
}

// ---- config file ----

TEST_F(ConfigFile, LookupKeysFollowTheFlagNames) {
    const Options c =
        parsed({"--config", write(R"({"max_lookups": 5, "lookup_threads": 9, "resolve_timeout_ms": 800})")});
    EXPECT_EQ(c.max_lookups, 5u);
    EXPECT_EQ(c.lookup_threads, 9u);
    EXPECT_EQ(c.resolve_timeout_ms, 800u);
}

TEST_F(ConfigFile, SetsOptionsFromJsonKeys) {
    const std::string file = write(R"({
        "listen": "127.0.0.1:8090",
        "allow": ["tcp:127.0.0.0/8:*"],
        "max_sockets": 10,
        "max-listeners": 3,
        "demo": false,
        "quiet": true,
        "web_root": "/srv",
        "origin": "http://one"
    })");
    const Options o = parsed({"--config", file});
    EXPECT_EQ(o.listen_port, 8090);
    EXPECT_EQ(o.allow, std::vector<std::string>{"tcp:127.0.0.0/8:*"});
    EXPECT_EQ(o.max_sockets, 10u);
    EXPECT_EQ(o.max_listeners, 3u);
    EXPECT_FALSE(o.demo);
    EXPECT_TRUE(o.quiet);
    EXPECT_EQ(o.web_root, "/srv");
    EXPECT_EQ(o.origins, std::vector<std::string>{"http://one"});
}

TEST_F(ConfigFile, FlagsOverrideTheFileWhereverConfigAppears) {
    const std::string file = write(R"({"max_sockets": 10, "window": 5000})");
    const Options o = parsed({"--max-sockets", "20", "--config", file});
    EXPECT_EQ(o.max_sockets, 20u);
    EXPECT_EQ(o.window, 5000u);
}

TEST_F(ConfigFile, RepeatableFlagReplacesTheFilesList) {
    const std::string file = write(R"({"allow": ["tcp:127.0.0.1:1", "tcp:127.0.0.1:2"], "origin": ["http://file"]})");
    const Options o = parsed({"--config", file, "--allow", "udp:127.0.0.1:3", "--allow", "udp:127.0.0.1:4"});
    EXPECT_EQ(o.allow, (std::vector<std::string>{"udp:127.0.0.1/32:3", "udp:127.0.0.1/32:4"}));
    EXPECT_EQ(o.origins, std::vector<std::string>{"http://file"});  // not given on the command line
}

TEST_F(ConfigFile, NoDemoKeyAndCommentsAreAccepted) {
    const std::string file = write("// local settings\n{\"no_demo\": true}");
    EXPECT_FALSE(parsed({"--config", file}).demo);
}

TEST_F(ConfigFile, UnknownKeyIsNamed) {
    expect_error({"--config", write(R"({"listen": "127.0.0.1:1", "colour": "blue"})")}, "unknown key 'colour'");
}

TEST_F(ConfigFile, CommandLineOnlyKeysAreRefused) {
    expect_error({"--config", write(R"({"config": "other.json"})")}, "key 'config' only works on the command line");
    expect_error({"--config", write(R"({"help": true})")}, "only works on the command line");
}

TEST_F(ConfigFile, SameOptionTwiceIsAnError) {
    expect_error({"--config", write(R"({"max_sockets": 1, "max-sockets": 2})")}, "already set");
    expect_error({"--config", write(R"({"demo": true, "no_demo": true})")}, "already set");
}

TEST_F(ConfigFile, WrongValueTypesNameTheKey) {
    expect_error({"--config", write(R"({"max_sockets": "10"})")}, "key 'max_sockets': must be a whole number");
    expect_error({"--config", write(R"({"max_sockets": 1.5})")}, "must be a whole number");
    expect_error({"--config", write(R"({"max_sockets": -3})")}, "-3 is out of range");
    expect_error({"--config", write(R"({"window": 0})")}, "key 'window': 0 is out of range");
    expect_error({"--config", write(R"({"quiet": "yes"})")}, "key 'quiet': must be true or false");
    expect_error({"--config", write(R"({"token": 5})")}, "key 'token': must be a string");
    expect_error({"--config", write(R"({"allow": [1]})")}, "key 'allow': must be a list of non-empty strings");
    expect_error({"--config", write(R"({"allow": {"a": 1}})")}, "must be a list of strings");
    expect_error({"--config", write(R"({"allow": ["tcp:nowhere:*"]})")}, "key 'allow': bad allow rule");
    expect_error({"--config", write(R"({"listen": "0.0.0.0:80"})")}, "--insecure-no-auth");
}

TEST_F(ConfigFile, TlsFilesComeFromTheConfigFileToo) {
    const Options o = parsed({"--config", write(R"({"tls_cert": "c.pem", "tls_key": "k.pem"})")});
    EXPECT_EQ(o.tls_cert, "c.pem");
    EXPECT_EQ(o.tls_key, "k.pem");
    expect_error({"--config", write(R"({"tls_key": "k.pem"})")}, "--tls-key needs --tls-cert");
}

TEST_F(ConfigFile, MalformedFilesAreReported) {
    expect_error({"--config", write("{\"listen\": ")}, "not valid JSON");
    expect_error({"--config", write("[1, 2]")}, "must hold a JSON object");
    expect_error({"--config", (dir_ / "missing.json").string()}, "cannot open");
    expect_error({"--config", dir_.string()}, "is a directory");
    expect_error({"--config="}, "needs a file name");
}

TEST_F(ConfigFile, GivenTwiceIsAnError) {
    const std::string file = write("{}");
    expect_error({"--config", file, "--config", file}, "--config given more than once");
}

TEST_F(ConfigFile, TokenInFileSatisfiesTheAuthenticationRule) {
    const std::string file = write(R"({"listen": "0.0.0.0:8080", "token": "t"})");
    EXPECT_EQ(parsed({"--config", file}).token, "t");
}

// ---- environment ----

TEST(Environment, NamesAreTheFlagInUpperSnakeCase) {
    EXPECT_EQ(environment_name("token"), "SOCKGATE_TOKEN");
    EXPECT_EQ(environment_name("max-connections-per-address"), "SOCKGATE_MAX_CONNECTIONS_PER_ADDRESS");
}

// Every flag of the help text has its variable, derived from the same table:
// a flag added later gets one without anyone writing it down.
TEST(Environment, EveryFlagInTheHelpCanBeSetFromTheEnvironment) {
    std::istringstream lines(help_text());
    std::string line;
    int checked = 0;
    while (std::getline(lines, line)) {
        if (line.rfind("  --", 0) != 0) continue;
        const std::string flag = line.substr(4, line.find_first_of(" \n", 4) - 4);
        if (flag == "help" || flag == "version" || flag == "healthcheck" || flag == "config") continue;
        // A value name follows the flag after one space; a switch has none.
        const size_t end = 4 + flag.size();
        const bool is_switch =
            line.size() == end || (line[end] == ' ' && line.size() > end + 1 && line[end + 1] == ' ');
        // A value every option of its kind rejects: the error must name the variable.
        Options o;
        const std::string name = environment_name(flag);
        const std::string value = is_switch ? "maybe" : "";
        try {
            parse({}, o, {{name, value}});
            ADD_FAILURE() << name << "='" << value << "' was accepted";
        } catch (const OptionsError& e) {
            EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
        }
        ++checked;
    }
    EXPECT_GE(checked, 25);
}

TEST(Environment, SetsValuesSwitchesAndLists) {
    const Options o = parsed_env({{"SOCKGATE_LISTEN", "0.0.0.0:9000"},
                                  {"SOCKGATE_TOKEN", "s3cret"},
                                  {"SOCKGATE_MAX_SOCKETS", "7"},
                                  {"SOCKGATE_QUIET", "true"},
                                  {"SOCKGATE_NO_DEMO", "1"},
                                  {"SOCKGATE_ALLOW", "tcp:127.0.0.0/8:* ,udp:[::1]/128:5000-5100\n"},
                                  {"SOCKGATE_ORIGIN", "https://a.example https://b.example"}});
    EXPECT_EQ(o.listen_host, "0.0.0.0");
    EXPECT_EQ(o.listen_port, 9000);
    EXPECT_EQ(o.token, "s3cret");
    EXPECT_EQ(o.max_sockets, 7u);
    EXPECT_TRUE(o.quiet);
    EXPECT_FALSE(o.demo);
    EXPECT_EQ(o.allow, (std::vector<std::string>{"tcp:127.0.0.0/8:*", "udp:::1/128:5000-5100"}));
    EXPECT_EQ(o.origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
    EXPECT_TRUE(o.given.count("max-sockets")) << "a chosen limit must count as given";
}

TEST(Environment, SwitchesCanBeTurnedOffExplicitly) {
    EXPECT_FALSE(parsed_env({{"SOCKGATE_QUIET", "false"}}).quiet);
    EXPECT_FALSE(parsed_env({{"SOCKGATE_QUIET", "0"}}).quiet);
    EXPECT_TRUE(parsed_env({{"SOCKGATE_DEMO", "yes"}}).demo);
    EXPECT_FALSE(parsed_env({{"SOCKGATE_DEMO", "off"}}).demo);
}

TEST(Environment, MalformedValuesAreErrorsNamingTheVariable) {
    expect_env_error({{"SOCKGATE_MAX_SOCKETS", "lots"}}, "environment variable SOCKGATE_MAX_SOCKETS: 'lots'");
    expect_env_error({{"SOCKGATE_PING_INTERVAL_MS", "-1"}}, "SOCKGATE_PING_INTERVAL_MS");
    expect_env_error({{"SOCKGATE_QUIET", "maybe"}}, "SOCKGATE_QUIET: 'maybe' is not true or false");
    expect_env_error({{"SOCKGATE_ALLOW", "tcp:nowhere:*"}}, "SOCKGATE_ALLOW");
    expect_env_error({{"SOCKGATE_ALLOW", " , "}}, "SOCKGATE_ALLOW: must hold at least one item");
    expect_env_error({{"SOCKGATE_TOKEN", ""}}, "SOCKGATE_TOKEN: must not be empty");
    expect_env_error({{"SOCKGATE_DEMO", "true"}, {"SOCKGATE_NO_DEMO", "true"}}, "already set");
    expect_env_error({{"SOCKGATE_CONFIG", "/nonexistent/sockgate.json"}}, "cannot open");
}

TEST(Environment, VariablesWithoutAnOptionAreIgnored) {
    // Test harnesses use SOCKGATE_GATEWAY_BIN and the like; they are not options.
    const Options o = parsed_env({{"SOCKGATE_GATEWAY_BIN", "/bin/true"}, {"SOCKGATE_HELP", "1"}});
    EXPECT_EQ(o.listen_port, Options().listen_port);
}

TEST(Environment, OffLoopbackWithoutTokenRefusesToStartAndSaysHowToFixIt) {
    expect_env_error({{"SOCKGATE_LISTEN", "0.0.0.0:8080"}}, "Give --token T (SOCKGATE_TOKEN)");
    expect_env_error({{"SOCKGATE_LISTEN", "0.0.0.0:8080"}}, "SOCKGATE_INSECURE_NO_AUTH=true");
    EXPECT_TRUE(
        parsed_env({{"SOCKGATE_LISTEN", "0.0.0.0:8080"}, {"SOCKGATE_INSECURE_NO_AUTH", "true"}}).insecure_no_auth);
    expect_env_error({{"SOCKGATE_LISTEN", "0.0.0.0:8080"}, {"SOCKGATE_INSECURE_NO_AUTH", "false"}}, "--token");
}

TEST(Environment, HealthcheckNeedsNoTokenAndKeepsTheListenAddress) {
    Options o;
    EXPECT_EQ(parse({"--healthcheck"}, o, {{"SOCKGATE_LISTEN", "0.0.0.0:8081"}}), ParseOutcome::healthcheck);
    EXPECT_EQ(o.listen_host, "0.0.0.0");
    EXPECT_EQ(o.listen_port, 8081);
}

class EnvironmentPrecedence : public ConfigFile {};

// Command line over environment over config file over defaults.
TEST_F(EnvironmentPrecedence, CommandLineThenEnvironmentThenFileThenDefaults) {
    const std::string file = write(R"({"max_sockets": 10, "max_listeners": 3, "udp_queue": 5,
                                       "allow": ["tcp:127.0.0.1/32:1"]})");
    const Options o = parsed_env(
        {{"SOCKGATE_MAX_SOCKETS", "20"}, {"SOCKGATE_MAX_LISTENERS", "4"}, {"SOCKGATE_ALLOW", "tcp:127.0.0.2/32:2"}},
        {"--config", file, "--max-sockets", "30"});
    EXPECT_EQ(o.max_sockets, 30u);   // command line
    EXPECT_EQ(o.max_listeners, 4u);  // environment over the file
    EXPECT_EQ(o.udp_queue, 5u);      // the file over the default
    EXPECT_EQ(o.max_backlog, Options().max_backlog);
    // A list from the environment replaces the file's rather than adding to it.
    EXPECT_EQ(o.allow, std::vector<std::string>{"tcp:127.0.0.2/32:2"});
    // And the command line's replaces the environment's.
    EXPECT_EQ(parsed_env({{"SOCKGATE_ALLOW", "tcp:127.0.0.2/32:2"}}, {"--allow", "tcp:127.0.0.3/32:3"}).allow,
              std::vector<std::string>{"tcp:127.0.0.3/32:3"});
}

TEST_F(EnvironmentPrecedence, ConfigFileCanBeNamedByTheEnvironment) {
    const std::string file = write(R"({"max_sockets": 11})");
    const Options o = parsed_env({{"SOCKGATE_CONFIG", file}});
    EXPECT_EQ(o.max_sockets, 11u);
    EXPECT_EQ(o.config_file, file);
    // --config on the command line wins over SOCKGATE_CONFIG.
    const std::string other = (dir_ / "other.json").string();
    std::ofstream(other) << R"({"max_sockets": 12})";
    EXPECT_EQ(parsed_env({{"SOCKGATE_CONFIG", file}}, {"--config", other}).max_sockets, 12u);
}

// ---- help and version ----

TEST(HelpText, ListsEveryFlagWithItsDefault) {
    const std::string help = help_text();
    for (const char* flag : {"--listen HOST:PORT",
                             "--web-root DIR",
                             "--no-demo",
                             "--demo-host H",
                             "--demo-port N",
                             "--allow PROTO:CIDR:PORTS",
                             "--bind-allow CIDR:PORTS",
                             "--origin ORIGIN",
                             "--token T",
                             "--insecure-no-auth",
                             "--max-sessions N",
                             "--max-sockets N",
                             "--max-listeners N",
                             "--max-frame BYTES",
                             "--window BYTES",
                             "--connect-timeout-ms N",
                             "--udp-queue N",
                             "--max-backlog N",
                             "--quiet",
                             "--max-lookups N",
                             "--lookup-threads N",
                             "--resolve-timeout-ms N",
                             "--config FILE",
                             "--help",
                             "--version"})
        EXPECT_NE(help.find(flag), std::string::npos) << flag;
    EXPECT_NE(help.find("Default: 127.0.0.1:8080"), std::string::npos);
    EXPECT_NE(help.find("Default: 262144"), std::string::npos);
    EXPECT_NE(help.find("Default: 1048576"), std::string::npos);
    EXPECT_EQ(help.find("--demo "), std::string::npos);  // config-only key stays out of the flag list
}

TEST(HelpText, FitsInEightyColumns) {
    std::istringstream lines(help_text());
    std::string line;
    while (std::getline(lines, line)) EXPECT_LE(line.size(), 80u) << line;
}

TEST(VersionText, NamesProgramAndVersion) { EXPECT_EQ(version_text(), std::string("sockgate ") + SOCKGATE_VERSION); }

}  // namespace
}  // namespace sockgate::gateway
