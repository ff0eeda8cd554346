// GoogleTest helpers for absl::Status, which Debian's Abseil lacks.
#ifndef NEARDUP_TESTS_SUPPORT_STATUS_MATCHERS_H_
#define NEARDUP_TESTS_SUPPORT_STATUS_MATCHERS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace neardup::testing {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

// EXPECT_THAT(DoIt(), IsOk());
MATCHER(IsOk, "is OK") {
  const absl::Status& status = GetStatus(arg);
  if (!status.ok()) *result_listener << status.ToString();
  return status.ok();
}

// EXPECT_THAT(Load(x), StatusIs(absl::StatusCode::kInvalidArgument,
//                               HasSubstr("line 3")));
MATCHER_P2(StatusIs, code, message_matcher, "") {
  const absl::Status& status = GetStatus(arg);
  *result_listener << status.ToString();
  return status.code() == code &&
         ::testing::ExplainMatchResult(
             message_matcher, std::string(status.message()), result_listener);
}

}  // namespace neardup::testing

#define NEARDUP_ASSERT_OK(expr) ASSERT_THAT(expr, ::neardup::testing::IsOk())
#define NEARDUP_EXPECT_OK(expr) EXPECT_THAT(expr, ::neardup::testing::IsOk())

#endif  // NEARDUP_TESTS_SUPPORT_STATUS_MATCHERS_H_
