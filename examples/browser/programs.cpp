// The browser build of the example programs: one module holding all four,
// so that a page running the server and then the client downloads and
// compiles what they share (the C++ library, the socket layer) once. Each
// example's main() is renamed when it is compiled for this module
// (examples/CMakeLists.txt); argv[0] says which one runs, and the page sets
// it (Module.thisProgram). The examples' sources stay as learners read them.
#include <cstdio>
#include <cstring>

int sockgate_example_tcp_server_main(int argc, char** argv);
int sockgate_example_tcp_client_main(int argc, char** argv);
int sockgate_example_udp_server_main(int argc, char** argv);
int sockgate_example_udp_client_main(int argc, char** argv);

namespace {

struct Program {
    const char* name;
    int (*main)(int, char**);
};

constexpr Program kPrograms[] = {
    {"tcp_server", sockgate_example_tcp_server_main},
    {"tcp_client", sockgate_example_tcp_client_main},
    {"udp_server", sockgate_example_udp_server_main},
    {"udp_client", sockgate_example_udp_client_main},
};

const char* base_name(const char* path) {
    const char* slash = std::strrchr(path, '/');
    return slash ? slash + 1 : path;
}

}  // namespace

int main(int argc, char** argv) {
    const char* name = argc > 0 ? base_name(argv[0]) : "";
    for (const Program& p : kPrograms)
        if (std::strcmp(name, p.name) == 0) return p.main(argc, argv);
    std::fprintf(stderr,
                 "programs: no example program named '%s' (there are tcp_server, tcp_client, udp_server, udp_client)\n",
                 name);
    return 127;
}
