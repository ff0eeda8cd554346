#include "src/internal/output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace neardup::internal {
namespace {

// Writes are gathered into blocks of this size: large enough that system
// calls cost nothing next to the data, small enough to stay in cache.
constexpr size_t kBufferBytes = size_t{1} << 20;

// Distinguishes temporary files made by one process for the same target.
std::atomic<uint64_t> temp_counter{0};

absl::Status ErrnoError(int error_number, absl::string_view message) {
  // Abseil calls EFBIG "out of range"; for a file being written it is the
  // same as a full disk (the CLI's exit status 1, not bad input).
  if (error_number == ENOSPC || error_number == EDQUOT ||
      error_number == EFBIG) {
    return absl::ResourceExhaustedError(message);
  }
  return absl::Status(absl::ErrnoToStatusCode(error_number), message);
}

// What the user can do about a failure to create or write a file.
absl::string_view Advice(int error_number) {
  switch (error_number) {
    case ENOENT:
      return "create the directory first or choose another path";
    case EACCES:
    case EPERM:
      return "choose a directory you can write to";
    case EROFS:
      return "the file system is read-only; choose another path";
    case ENOSPC:
    case EDQUOT:
      return "free some disk space and run again";
    case EFBIG:
      return "the file size limit (ulimit -f) was reached; raise it or "
             "write elsewhere";
    case ENAMETOOLONG:
      return "choose a shorter file name";
    default:
      return "check the path and the disk, then run again";
  }
}

// Writes all of `data`, retrying on interruption and short writes.
int WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return 0;
}

// Directory part of `path` for temporary files and fsync: "." when there is
// none, "/" for files in the root.
std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

OutputFile::OutputFile(std::string path, std::string temp_path, int fd)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {
  buffer_.reserve(kBufferBytes);
}

absl::StatusOr<std::unique_ptr<OutputFile>> OutputFile::Create(
    const std::string& path) {
  if (path == "-") {
    return std::unique_ptr<OutputFile>(
        new OutputFile(path, std::string(), STDOUT_FILENO));
  }
  if (path.empty() || path.back() == '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", path, "\": not a file name; name the file to write"));
  }
  struct stat target;
  const bool exists = ::stat(path.c_str(), &target) == 0;
  if (exists && S_ISDIR(target.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": is a directory; name a file to write instead"));
  }
  if (exists && !S_ISREG(target.st_mode)) {
    // A device, FIFO or socket (/dev/null, /dev/stdout, a pipe) is a stream,
    // not a file to replace: renaming over it would destroy it. Write to it
    // directly; "complete or absent" cannot apply to a stream.
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      const int error_number = errno;
      return ErrnoError(error_number,
                        absl::StrCat(path, ": cannot open for writing: ",
                                     std::strerror(error_number), "; ",
                                     Advice(error_number)));
    }
    auto file =
        std::unique_ptr<OutputFile>(new OutputFile(path, std::string(), fd));
    file->close_fd_ = true;
    return file;
  }
  const size_t slash = path.rfind('/');
  const std::string directory = DirectoryOf(path);
  // The temporary file shares the target's directory (so rename() is atomic)
  // and is hidden, so a listing during the run does not show a half file.
  const std::string prefix =
      absl::StrCat(slash == std::string::npos ? "" : path.substr(0, slash + 1),
                   ".", path.substr(slash == std::string::npos ? 0 : slash + 1),
                   ".tmp-", ::getpid(), "-");
  // A stale file of the same name (a crashed run whose pid was reused) is
  // not ours to overwrite: try the next number.
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp_path = absl::StrCat(
        prefix, temp_counter.fetch_add(1, std::memory_order_relaxed));
    int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                    0644);
    if (fd >= 0) {
      return std::unique_ptr<OutputFile>(
          new OutputFile(path, std::move(temp_path), fd));
    }
    const int error_number = errno;
    if (error_number == EINTR || error_number == EEXIST) continue;
    struct stat directory_info;
    if ((error_number == ENOENT || error_number == ENOTDIR) &&
        (::stat(directory.c_str(), &directory_info) != 0 ||
         !S_ISDIR(directory_info.st_mode))) {
      return ErrnoError(
          error_number,
          absl::StrCat(path, ": cannot create: directory ", directory,
                       " does not exist; ", Advice(ENOENT)));
    }
    return ErrnoError(
        error_number,
        absl::StrCat(path, ": cannot create a file in ", directory, ": ",
                     std::strerror(error_number), "; ", Advice(error_number)));
  }
  return absl::AlreadyExistsError(absl::StrCat(
      path, ": cannot create a temporary file beside it (too many stale ",
      prefix, "* files); remove them and run again"));
}

OutputFile::~OutputFile() {
  if (close_fd_ && fd_ >= 0) ::close(fd_);
  if (committed_ || temp_path_.empty()) return;
  if (fd_ >= 0) ::close(fd_);
  ::unlink(temp_path_.c_str());
}

void OutputFile::Write(absl::string_view data) {
  if (!error_.ok() || committed_) return;
  if (buffer_.size() + data.size() <= kBufferBytes) {
    buffer_.append(data.data(), data.size());
    return;
  }
  error_ = FlushBuffer();
  if (!error_.ok()) return;
  if (data.size() >= kBufferBytes) {
    // Large blocks go straight out instead of through the buffer.
    int error_number = WriteAll(fd_, data.data(), data.size());
    if (error_number != 0) {
      error_ = ErrnoError(
          error_number,
          absl::StrCat(path_, ": write failed: ", std::strerror(error_number),
                       "; ", Advice(error_number)));
    }
    return;
  }
  buffer_.append(data.data(), data.size());
}

absl::Status OutputFile::FlushBuffer() {
  if (buffer_.empty()) return absl::OkStatus();
  int error_number = WriteAll(fd_, buffer_.data(), buffer_.size());
  buffer_.clear();
  if (error_number != 0) {
    return ErrnoError(error_number, absl::StrCat(path_, ": write failed: ",
                                                 std::strerror(error_number),
                                                 "; ", Advice(error_number)));
  }
  return absl::OkStatus();
}

absl::Status OutputFile::Commit() {
  if (committed_) {
    return absl::FailedPreconditionError(
        absl::StrCat(path_, ": already committed"));
  }
  if (error_.ok()) error_ = FlushBuffer();
  if (temp_path_.empty()) {
    // A stream (standard output, a device): nothing to sync or rename.
    // Standard output is never ours to close; a device we opened is.
    committed_ = true;
    if (close_fd_ && fd_ >= 0) {
      if (::close(fd_) != 0 && error_.ok()) {
        const int error_number = errno;
        error_ =
            ErrnoError(error_number, absl::StrCat(path_, ": cannot close: ",
                                                  std::strerror(error_number)));
      }
      fd_ = -1;
    }
    return error_;
  }
  // On any failure below the destructor still removes the temporary file.
  if (!error_.ok()) return error_;
  if (::fsync(fd_) != 0) {
    const int error_number = errno;
    return error_ = ErrnoError(error_number,
                               absl::StrCat(path_, ": cannot flush to disk: ",
                                            std::strerror(error_number), "; ",
                                            Advice(error_number)));
  }
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    const int error_number = errno;
    return error_ = ErrnoError(error_number,
                               absl::StrCat(path_, ": cannot close: ",
                                            std::strerror(error_number), "; ",
                                            Advice(error_number)));
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    const int error_number = errno;
    return error_ = ErrnoError(
               error_number,
               absl::StrCat(path_, ": cannot move ", temp_path_,
                            " into place: ", std::strerror(error_number), "; ",
                            Advice(error_number)));
  }
  committed_ = true;
  // The rename is only durable once the directory entry is on disk too.
  // Some file systems refuse to fsync a directory (EINVAL); the data itself
  // is safe by then, so that is not an error.
  const std::string directory = DirectoryOf(path_);
  int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    int rc = ::fsync(dir_fd);
    const int error_number = errno;
    ::close(dir_fd);
    if (rc != 0 && error_number != EINVAL && error_number != EROFS) {
      return ErrnoError(
          error_number,
          absl::StrCat(path_, ": written, but syncing directory ", directory,
                       " failed: ", std::strerror(error_number)));
    }
  }
  return absl::OkStatus();
}

}  // namespace neardup::internal
