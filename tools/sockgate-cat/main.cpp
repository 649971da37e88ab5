// sockgate-cat: netcat through a sockgate gateway (see cat_options.cpp for
// the command line).
#include <csignal>
#include <iostream>

#include <asio/io_context.hpp>

#include "support/tuning/malloc_tuning.hpp"
#include "tools/sockgate-cat/cat_options.hpp"
#include "tools/sockgate-cat/cat_session.hpp"

int main(int argc, char* argv[]) {
    using namespace sockgate::client::cat;
    sockgate::support::keep_freed_memory_for_reuse();
    CatOptions options;
    try {
        if (parse_cat_options(argc, argv, options) == ParseOutcome::help) {
            std::cout << cat_usage();
            return 0;
        }
    } catch (const UsageError& e) {
        std::cerr << "sockgate-cat: " << e.what() << "\n" << cat_usage();
        return 2;
    }
    // A closed stdout must show up as a write error, not kill us silently.
    std::signal(SIGPIPE, SIG_IGN);

    asio::io_context io;
    CatSession session(io, options);
    session.start();
    io.run();
    return session.exit_code();
}
