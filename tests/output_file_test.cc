#include "src/internal/output_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace neardup::internal {
namespace {

namespace fs = std::filesystem;
using ::neardup::testing::IsOk;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info =
        ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           (std::string("output_file_test_") + info->name() + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::permissions(dir_, fs::perms::owner_all, ignored);
    fs::remove_all(dir_, ignored);
  }

  std::vector<std::string> Listing() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  static std::string ReadAll(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }

  fs::path dir_;
};

TEST_F(OutputFileTest, CommitPublishesTheFileAndLeavesNoTemporary) {
  const std::string path = (dir_ / "out.jsonl").string();
  absl::StatusOr<std::unique_ptr<OutputFile>> file = OutputFile::Create(path);
  ASSERT_THAT(file, IsOk());
  (*file)->Write("hello ");
  (*file)->Write("world\n");
  // Nothing under the final name until Commit().
  EXPECT_FALSE(fs::exists(path));
  ASSERT_THAT((*file)->Commit(), IsOk());
  EXPECT_EQ(ReadAll(path), "hello world\n");
  EXPECT_THAT(Listing(), ::testing::ElementsAre("out.jsonl"));
  file->reset();
  EXPECT_THAT(Listing(), ::testing::ElementsAre("out.jsonl"));
}

TEST_F(OutputFileTest, TemporaryIsHiddenBesideTheTarget) {
  const std::string path = (dir_ / "out.jsonl").string();
  absl::StatusOr<std::unique_ptr<OutputFile>> file = OutputFile::Create(path);
  ASSERT_THAT(file, IsOk());
  std::vector<std::string> names = Listing();
  ASSERT_EQ(names.size(), 1u);
  EXPECT_THAT(names[0], ::testing::StartsWith(".out.jsonl.tmp-"));
}

TEST_F(OutputFileTest, AbandonedFileLeavesNothingBehind) {
  const std::string path = (dir_ / "out.jsonl").string();
  {
    absl::StatusOr<std::unique_ptr<OutputFile>> file = OutputFile::Create(path);
    ASSERT_THAT(file, IsOk());
    (*file)->Write(std::string(3 << 20, 'x'));  // Past the buffer: on disk.
  }
  EXPECT_TRUE(Listing().empty());
}

TEST_F(OutputFileTest, AbandonedFileKeepsTheOldVersion) {
  const fs::path path = dir_ / "out.jsonl";
  std::ofstream(path) << "old\n";
  {
    absl::StatusOr<std::unique_ptr<OutputFile>> file =
        OutputFile::Create(path.string());
    ASSERT_THAT(file, IsOk());
    (*file)->Write("new\n");
  }
  EXPECT_EQ(ReadAll(path), "old\n");
  EXPECT_THAT(Listing(), ::testing::ElementsAre("out.jsonl"));
}

TEST_F(OutputFileTest, CommitReplacesAnExistingFile) {
  const fs::path path = dir_ / "out.jsonl";
  std::ofstream(path) << "old content that is longer\n";
  absl::StatusOr<std::unique_ptr<OutputFile>> file =
      OutputFile::Create(path.string());
  ASSERT_THAT(file, IsOk());
  (*file)->Write("new\n");
  ASSERT_THAT((*file)->Commit(), IsOk());
  EXPECT_EQ(ReadAll(path), "new\n");
}

TEST_F(OutputFileTest, LargeAndManySmallWritesArriveInOrder) {
  const fs::path path = dir_ / "big.txt";
  absl::StatusOr<std::unique_ptr<OutputFile>> file =
      OutputFile::Create(path.string());
  ASSERT_THAT(file, IsOk());
  std::string expected;
  for (int i = 0; i < 200000; ++i) {
    std::string piece = std::to_string(i) + ",";
    (*file)->Write(piece);
    expected += piece;
    if (i % 50000 == 0) {
      std::string block(1 << 21, static_cast<char>('a' + i % 26));
      (*file)->Write(block);
      expected += block;
    }
  }
  ASSERT_THAT((*file)->Commit(), IsOk());
  EXPECT_EQ(ReadAll(path), expected);
}

TEST_F(OutputFileTest, FileModeHonoursUmask) {
  const fs::path path = dir_ / "mode.txt";
  mode_t old_mask = ::umask(027);
  absl::StatusOr<std::unique_ptr<OutputFile>> file =
      OutputFile::Create(path.string());
  ::umask(old_mask);
  ASSERT_THAT(file, IsOk());
  ASSERT_THAT((*file)->Commit(), IsOk());
  struct stat info;
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
}

TEST_F(OutputFileTest, MissingDirectoryIsNotFoundAndNamesThePath) {
  const std::string path = (dir_ / "no" / "such" / "out.jsonl").string();
  EXPECT_THAT(
      OutputFile::Create(path),
      StatusIs(absl::StatusCode::kNotFound,
               ::testing::AllOf(HasSubstr(path), HasSubstr("does not exist"))));
}

TEST_F(OutputFileTest, UnwritableDirectoryIsPermissionDenied) {
  std::string path;
  if (::geteuid() != 0) {
    const fs::path locked = dir_ / "locked";
    fs::create_directories(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    path = (locked / "out.jsonl").string();
  } else {
    // Permissions do not stop root, but sysfs refuses new files to anyone.
    if (!fs::exists("/sys/kernel")) GTEST_SKIP() << "no sysfs to test with";
    path = "/sys/neardup-output-test.jsonl";
  }
  EXPECT_THAT(OutputFile::Create(path),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       ::testing::AllOf(
                           HasSubstr(path),
                           HasSubstr("choose a directory you can write to"))));
}

TEST_F(OutputFileTest, ExistingDirectoryThatRefusesTheNameSaysWhy) {
  // /proc exists but has no room for new files: the message must not claim
  // the directory is missing.
  const std::string path = "/proc/neardup-output-test.jsonl";
  absl::StatusOr<std::unique_ptr<OutputFile>> file = OutputFile::Create(path);
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), HasSubstr(path));
  EXPECT_THAT(file.status().message(),
              ::testing::Not(HasSubstr("does not exist")));
}

TEST_F(OutputFileTest, DirectoryAsTargetIsRejected) {
  EXPECT_THAT(OutputFile::Create(dir_.string()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("is a directory")));
}

// Renaming a temporary file over a device or FIFO would destroy it (as root,
// `--clusters /dev/null` once replaced /dev/null with a regular file).
TEST_F(OutputFileTest, FifoIsWrittenDirectlyNotReplaced) {
  const fs::path fifo = dir_ / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // A reader must hold the FIFO open before a writer's open() returns.
  std::string received;
  std::thread reader([&] { received = ReadAll(fifo); });
  absl::StatusOr<std::unique_ptr<OutputFile>> file =
      OutputFile::Create(fifo.string());
  ASSERT_THAT(file, IsOk());
  (*file)->Write("through the pipe\n");
  EXPECT_THAT((*file)->Commit(), IsOk());
  file->reset();
  reader.join();
  EXPECT_EQ(received, "through the pipe\n");
  EXPECT_TRUE(fs::is_fifo(fifo));
  EXPECT_EQ(Listing(), std::vector<std::string>{"pipe"});
}

TEST_F(OutputFileTest, DevNullStaysADevice) {
  absl::StatusOr<std::unique_ptr<OutputFile>> file =
      OutputFile::Create("/dev/null");
  ASSERT_THAT(file, IsOk());
  (*file)->Write("discarded");
  EXPECT_THAT((*file)->Commit(), IsOk());
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST_F(OutputFileTest, SecondCommitFails) {
  absl::StatusOr<std::unique_ptr<OutputFile>> file =
      OutputFile::Create((dir_ / "x").string());
  ASSERT_THAT(file, IsOk());
  ASSERT_THAT((*file)->Commit(), IsOk());
  EXPECT_THAT((*file)->Commit(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                          HasSubstr("already committed")));
}

TEST_F(OutputFileTest, DashWritesToStandardOutputOnCommit) {
  ::testing::internal::CaptureStdout();
  absl::StatusOr<std::unique_ptr<OutputFile>> file = OutputFile::Create("-");
  ASSERT_THAT(file, IsOk());
  (*file)->Write("to stdout\n");
  ASSERT_THAT((*file)->Commit(), IsOk());
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "to stdout\n");
  EXPECT_EQ((*file)->path(), "-");
}

TEST_F(OutputFileTest, RelativePathWithoutDirectoryWorks) {
  const fs::path old_cwd = fs::current_path();
  fs::current_path(dir_);
  absl::StatusOr<std::unique_ptr<OutputFile>> file =
      OutputFile::Create("plain.txt");
  ASSERT_THAT(file, IsOk());
  (*file)->Write("x");
  EXPECT_THAT((*file)->Commit(), IsOk());
  fs::current_path(old_cwd);
  EXPECT_EQ(ReadAll(dir_ / "plain.txt"), "x");
}

}  // namespace
}  // namespace neardup::internal
