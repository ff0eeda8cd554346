// Helpers shared by the parallel stages of the batch engines (documents,
// passages, exact search): deterministic error collection and progress.
#ifndef NEARDUP_SRC_INTERNAL_STAGE_H_
#define NEARDUP_SRC_INTERNAL_STAGE_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace neardup::internal {

// Keeps the error of the lowest-numbered item. Workers should not stop at the
// first failure they see: when every item is tried, the error reported is
// the same whatever the thread count. Read any()/status() only after the
// workers have joined.
class FirstError {
 public:
  void Record(size_t index, absl::Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!index_ || index < *index_) {
      index_ = index;
      status_ = std::move(status);
    }
  }
  bool any() const { return index_.has_value(); }
  absl::Status status() const { return status_; }

 private:
  std::mutex mu_;
  std::optional<size_t> index_;
  absl::Status status_;
};

// Reports progress of a parallel stage as (stage, fraction in [0, 1]) from
// worker 0 only, which is the calling thread in ParallelFor, so callbacks
// never run concurrently and never on a thread the caller did not expect.
class StageProgress {
 public:
  using Callback = std::function<void(absl::string_view, double)>;

  StageProgress(const Callback& callback, absl::string_view stage, size_t total)
      : callback_(callback), stage_(stage), total_(total) {}

  void Add(size_t done, int worker) {
    size_t now = done_.fetch_add(done, std::memory_order_relaxed) + done;
    if (worker == 0 && callback_ && total_ > 0) {
      callback_(stage_, static_cast<double>(now) / static_cast<double>(total_));
    }
  }

 private:
  Callback callback_;  // A copy: callers may pass a lambda or another type.
  absl::string_view stage_;
  size_t total_;
  std::atomic<size_t> done_{0};
};

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_STAGE_H_
