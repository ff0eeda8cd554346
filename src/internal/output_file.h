// Output files that are either complete or absent.
//
// Data is written to a temporary file beside the target and renamed over it
// by Commit(), after an fsync; an OutputFile destroyed without Commit()
// removes its temporary file, so a failed run never leaves a half-written
// file that looks whole. "-" writes to standard output instead (buffered,
// flushed by Commit()), and an existing path that is not a regular file
// (/dev/null, a FIFO) is written directly, never replaced.
#ifndef NEARDUP_SRC_INTERNAL_OUTPUT_FILE_H_
#define NEARDUP_SRC_INTERNAL_OUTPUT_FILE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace neardup::internal {

class OutputFile {
 public:
  // Creates the temporary file. Errors name the path and the reason
  // (directory missing, permission denied).
  static absl::StatusOr<std::unique_ptr<OutputFile>> Create(
      const std::string& path);

  ~OutputFile();  // Removes the temporary file unless committed.
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Buffers `data`; write errors are remembered and returned by Commit().
  void Write(absl::string_view data);

  // Flushes, fsyncs and renames into place. Must be called at most once.
  absl::Status Commit();

  const std::string& path() const { return path_; }

 private:
  OutputFile(std::string path, std::string temp_path, int fd);
  absl::Status FlushBuffer();

  std::string path_;
  std::string temp_path_;  // Empty for standard output.
  int fd_ = -1;
  std::string buffer_;
  absl::Status error_;
  bool committed_ = false;
  bool close_fd_ = false;  // A device or FIFO opened directly.
};

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_OUTPUT_FILE_H_
