// sockgate-cat as a user runs it, against the scripted FakeGateway.
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "fake_gateway.hpp"
#include "test_server.hpp"

namespace sockgate::client {
namespace {

using namespace std::chrono_literals;
using testing::FakeGateway;
using testing::TestServer;

struct Run {
    int exit_code = -1;  // -1: killed after the timeout
    std::string out, err;
};

// Runs sockgate-cat with `args`, feeding `input` on stdin, and collects its
// output, killing it after `timeout`.
Run run_cat(const std::vector<std::string>& args, const std::string& input, std::chrono::milliseconds timeout = 10s) {
    std::vector<std::string> all{SOCKGATE_CAT_PATH};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);

    int in[2], out[2], err[2];
    if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) return {};
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    signal(SIGPIPE, SIG_IGN);
    // Fed from a thread: sockgate-cat may write output before it has read
    // all its input, and both pipes are bounded.
    std::thread feeder([fd = in[1], &input] {
        size_t done = 0;
        while (done < input.size()) {
            const ssize_t n = write(fd, input.data() + done, input.size() - done);
            if (n <= 0) break;
            done += size_t(n);
        }
        close(fd);
    });

    Run r;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0 && std::chrono::steady_clock::now() < deadline) {
        if (poll(fds, 2, 50) <= 0) continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            char buf[4096];
            const ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                (i == 0 ? r.out : r.err).append(buf, size_t(n));
            } else {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            }
        }
    }
    if (open_fds > 0) kill(pid, SIGKILL);
    for (auto& f : fds)
        if (f.fd >= 0) close(f.fd);
    int status = 0;
    waitpid(pid, &status, 0);
    feeder.join();
    if (open_fds == 0 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    return r;
}

TEST(SockgateCat, HelpAndUsage) {
    auto help = run_cat({"--help"}, "");
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("usage: sockgate-cat"), std::string::npos);
    auto bad = run_cat({"ws://127.0.0.1:1/ws", "sctp", "127.0.0.1", "7"}, "");
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("unknown mode"), std::string::npos);
    EXPECT_EQ(run_cat({"http://x", "tcp", "127.0.0.1", "7"}, "").exit_code, 2);
    EXPECT_EQ(run_cat({"ws://x/ws", "tcp", "127.0.0.1", "99999"}, "").exit_code, 2);
}

TEST(SockgateCat, RelaysTcpBothWaysAndExitsAfterBothEnds) {
    FakeGateway gw;
    std::string input;
    for (int i = 0; i < 200000; ++i) input += "line " + std::to_string(i) + "\n";
    auto r = run_cat({gw.url(), "tcp", "127.0.0.1", "7"}, input);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.out == input) << "got " << r.out.size() << " of " << input.size() << " bytes";
}

TEST(SockgateCat, RefusedConnectionIsAClearError) {
    FakeGateway gw;
    auto r = run_cat({gw.url(), "tcp", "127.0.0.1", "1"}, "");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("ECONNREFUSED"), std::string::npos) << r.err;
}

TEST(SockgateCat, WrongTokenIsAClearError) {
    testing::FakeGatewayOptions o;
    o.token = "sesame";
    FakeGateway gw(o);
    auto bad = run_cat({"--token", "nope", gw.url(), "tcp", "127.0.0.1", "7"}, "");
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("EACCES"), std::string::npos) << bad.err;
    auto good = run_cat({"--token=sesame", gw.url(), "tcp", "127.0.0.1", "7"}, "hi\n");
    EXPECT_EQ(good.exit_code, 0) << good.err;
    EXPECT_EQ(good.out, "hi\n");
}

TEST(SockgateCat, RefusedHandshakeShowsTheStatusAndSendsTheOrigin) {
    TestServer server(TestServer::Options{true, 403, false});
    auto r = run_cat({"--origin", "http://evil.example", server.url(), "tcp", "127.0.0.1", "7"}, "");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("HTTP_403"), std::string::npos) << r.err;
    EXPECT_EQ(server.last_handshake().origin, "http://evil.example");
}

TEST(SockgateCat, ClosedEventIsAnError) {
    FakeGateway gw;
    auto r = run_cat({gw.url(), "tcp", "127.0.0.1", "3"}, "");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("ECONNRESET"), std::string::npos) << r.err;
}

TEST(SockgateCat, UdpSendsLinesAndPrintsDatagrams) {
    FakeGateway gw;
    auto r = run_cat({"--linger-ms", "300", gw.url(), "udp", "127.0.0.1", "9"}, "one\ntwo\nno newline");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "one\ntwo\nno newline\n");
}

TEST(SockgateCat, ListenPrintsTheAddressAndRelaysOneConnection) {
    FakeGateway gw;  // accepts one connection, an echo, right after listen
    auto r = run_cat({gw.url(), "listen", "127.0.0.1", "0"}, "through the listener\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("listening on 127.0.0.1:5000"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("connection from 127.0.0.1:40000"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "through the listener\n");
}

TEST(SockgateCat, KickedSessionIsAnError) {
    TestServer server;
    server.on_message = [&](TestServer::ConnId c, bool, const std::string&) { server.close(c, 1008, "not today"); };
    auto r = run_cat({server.url(), "tcp", "127.0.0.1", "7"}, "");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("1008"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sockgate::client
