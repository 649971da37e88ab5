#include "bench/machine.hpp"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>

namespace sockgate::bench {
namespace {

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) != 0) continue;
        const auto colon = line.find(':');
        if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
    return "unknown";
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace

double load_average() {
    double avg[1];
    return getloadavg(avg, 1) == 1 ? avg[0] : -1;
}

nlohmann::ordered_json describe_machine() {
    utsname u{};
    uname(&u);
    double avg[3] = {-1, -1, -1};
    getloadavg(avg, 3);
    return {{"time", utc_now()},
            {"nproc", sysconf(_SC_NPROCESSORS_ONLN)},
            {"cpu_model", cpu_model()},
            {"kernel", std::string(u.sysname) + " " + u.release},
            {"load_average", {avg[0], avg[1], avg[2]}}};
}

double own_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return seconds(u.ru_utime) + seconds(u.ru_stime);
}

std::string raise_open_file_limit(uint64_t needed) {
    rlimit now{};
    if (getrlimit(RLIMIT_NOFILE, &now) != 0) return std::string("getrlimit: ") + std::strerror(errno);
    if (now.rlim_cur != RLIM_INFINITY && now.rlim_cur >= needed) return "";
    rlimit want = now;
    want.rlim_cur = rlim_t(needed);
    if (want.rlim_max != RLIM_INFINITY && want.rlim_max < needed) want.rlim_max = rlim_t(needed);
    if (setrlimit(RLIMIT_NOFILE, &want) == 0) return "";
    return "need " + std::to_string(needed) + " open files but the limit is " + std::to_string(now.rlim_cur) +
           " (hard " + std::to_string(now.rlim_max) + ") and raising it failed: " + std::strerror(errno) +
           "; raise it with ulimit -n, run as root, or use fewer --sessions/--sockets";
}

}  // namespace sockgate::bench
