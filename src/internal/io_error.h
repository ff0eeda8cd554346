// Statuses for failed system calls on index files, shared by the index and
// its snapshot writer so that a full disk reads the same wherever it hits.
#ifndef NEARDUP_SRC_INTERNAL_IO_ERROR_H_
#define NEARDUP_SRC_INTERNAL_IO_ERROR_H_

#include <errno.h>

#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace neardup::internal {

// "PATH: WHAT: strerror" with a code that says whose fault it is: NotFound,
// PermissionDenied (also a read-only file system), ResourceExhausted for a
// full disk, a quota or the file size limit (with what to do, and that
// nothing acknowledged is lost), Internal otherwise.
inline absl::Status IndexFileError(int error_number, absl::string_view what,
                                   absl::string_view path) {
  std::string message =
      absl::StrCat(path, ": ", what, ": ", std::strerror(error_number));
  switch (error_number) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(message);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(absl::StrCat(
          message,
          "; free some disk space and run again (everything acknowledged "
          "before is kept)"));
    case EFBIG:
      return absl::ResourceExhaustedError(absl::StrCat(
          message,
          "; the file size limit (ulimit -f) was reached: raise it and run "
          "again (everything acknowledged before is kept)"));
    default:
      return absl::InternalError(message);
  }
}

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_IO_ERROR_H_
