// A whole file's bytes, "" when it cannot be read: for test fixtures and
// for /proc files alike.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace sockgate::testing {

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace sockgate::testing
