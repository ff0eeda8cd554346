// A fixture for end-to-end tests of the neardup command: runs the built
// binary in a scratch directory, as a user would, and captures its exit
// status, stdout and stderr.
#ifndef NEARDUP_TESTS_SUPPORT_CLI_HARNESS_H_
#define NEARDUP_TESTS_SUPPORT_CLI_HARNESS_H_

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace neardup::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteAll(const std::filesystem::path& path,
                     const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

// Non-empty lines of `text`.
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    lines.emplace_back(line);
  }
  return lines;
}

// Skips the test when the tool was not built (NEARDUP_BUILD_TOOLS=OFF); the
// ctest environment names the binary in NEARDUP_CLI.
class CliFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* cli = std::getenv("NEARDUP_CLI");
    if (cli == nullptr || !std::filesystem::exists(cli)) {
      GTEST_SKIP() << "neardup binary not built (NEARDUP_BUILD_TOOLS=OFF)";
    }
    cli_ = cli;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("neardup_", info->test_suite_name(), "_", info->name(),
                        "_", getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Runs `neardup ARGS` in the scratch directory; `stdin_path` feeds stdin
  // (empty: /dev/null).
  RunResult Run(const std::string& args, const std::string& stdin_path = "") {
    std::string cmd = absl::StrCat("cd '", dir_.string(), "' && '", cli_, "' ",
                                   args, " > .stdout 2> .stderr");
    cmd += stdin_path.empty() ? " < /dev/null" : " < '" + stdin_path + "'";
    int status = std::system(cmd.c_str());
    RunResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadAll(dir_ / ".stdout");
    r.err = ReadAll(dir_ / ".stderr");
    std::filesystem::remove(dir_ / ".stdout");
    std::filesystem::remove(dir_ / ".stderr");
    return r;
  }

  // Files in the scratch directory, sorted: proves a failed run left nothing.
  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string cli_;
  std::filesystem::path dir_;
};

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_SUPPORT_CLI_HARNESS_H_
