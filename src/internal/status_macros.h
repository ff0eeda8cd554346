// Status propagation helpers. Debian's Abseil (20220623) has no status
// macros, so neardup carries these two.
#ifndef NEARDUP_SRC_INTERNAL_STATUS_MACROS_H_
#define NEARDUP_SRC_INTERNAL_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define NEARDUP_STATUS_CONCAT_INNER_(a, b) a##b
#define NEARDUP_STATUS_CONCAT_(a, b) NEARDUP_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (an absl::Status) is not OK.
#define NEARDUP_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::absl::Status neardup_status_ = (expr);           \
    if (!neardup_status_.ok()) return neardup_status_; \
  } while (false)

// `NEARDUP_ASSIGN_OR_RETURN(auto x, MakeX());` declares or assigns `x` from
// an absl::StatusOr, returning its status from the enclosing function on error.
#define NEARDUP_ASSIGN_OR_RETURN(lhs, expr) \
  NEARDUP_ASSIGN_OR_RETURN_IMPL_(           \
      NEARDUP_STATUS_CONCAT_(neardup_statusor_, __LINE__), lhs, expr)
#define NEARDUP_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return std::move(tmp).status();       \
  lhs = std::move(tmp).value()

#endif  // NEARDUP_SRC_INTERNAL_STATUS_MACROS_H_
