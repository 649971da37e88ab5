// A directory of the running test's own under the system's temp directory:
// web roots, certificates, config files. Named after the process and the
// test, so tests run in parallel by ctest never share one; emptied when made
// (a crashed earlier run may have left it) and removed with the object.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace sockgate::testing {

class TestDir {
public:
    explicit TestDir(const std::string& prefix)
        : path_(std::filesystem::temp_directory_path() /
                ("sockgate-" + prefix + "-" + std::to_string(::getpid()) + "-" + test_name())) {
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TestDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TestDir(const TestDir&) = delete;
    TestDir& operator=(const TestDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
    // Writes `bytes` to `name` (folders made as needed); returns its path.
    std::string write(const std::string& name, const std::string& bytes) const {
        const auto file = path_ / name;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary) << bytes;
        return file.string();
    }

private:
    static std::string test_name() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        if (!info) return "outside-a-test";
        std::string name = std::string(info->test_suite_name()) + "." + info->name();
        for (char& c : name)
            if (c == '/') c = '_';  // parameterised tests
        return name;
    }

    std::filesystem::path path_;
};

}  // namespace sockgate::testing
