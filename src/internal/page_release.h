// Keeping a mapped input's pages out of the process while it streams
// through them.
//
// A corpus maps plain input files (corpus.h). Every page a pass reads stays
// in the process's resident set until told otherwise, so one pass over a
// 3 GB input would make the process 3 GB larger though it needs a few
// megabytes at a time. PeriodicRelease calls Corpus::ReleaseInputPages()
// each time another `every` bytes of text have been processed; pages still
// in use are read back from the page cache at the cost of a minor fault.
//
// Example:
//
//   internal::PeriodicRelease release(corpus);
//   ParallelFor(n, threads, 64, [&](size_t begin, size_t end, int) {
//     ... release.Add(bytes_of_text_read);
//   });
#ifndef NEARDUP_SRC_INTERNAL_PAGE_RELEASE_H_
#define NEARDUP_SRC_INTERNAL_PAGE_RELEASE_H_

#include <atomic>
#include <cstdint>

#include "neardup/corpus.h"

namespace neardup::internal {

class PeriodicRelease {
 public:
  // 16 MB: a release unmaps what is resident (a few thousand pages, well
  // under a millisecond), so even a 50 MB input is never held whole while
  // a 3 GB one costs a couple of hundred releases a pass.
  static constexpr uint64_t kDefaultEvery = uint64_t{16} << 20;

  explicit PeriodicRelease(const Corpus& corpus, uint64_t every = kDefaultEvery)
      : corpus_(corpus), every_(every) {}

  // What one read of a text in a random place may bring in: the kernel maps
  // up to 64 KiB of cached pages around a fault ("fault-around"), so
  // passes that jump between documents count this much per text.
  static constexpr uint64_t kFaultAround = uint64_t{64} << 10;

  // For a pass that reads texts in input order: `bytes` of text were read.
  // Thread-safe: whichever thread crosses a multiple of `every` releases.
  void Add(uint64_t bytes) {
    const uint64_t before = done_.fetch_add(bytes, std::memory_order_relaxed);
    if (before / every_ != (before + bytes) / every_) {
      corpus_.ReleaseInputPages();
    }
  }

  // For a pass that reads texts out of order: one more text of `bytes`.
  void AddRandom(uint64_t bytes) { Add(bytes + kFaultAround); }

 private:
  const Corpus& corpus_;
  const uint64_t every_;
  std::atomic<uint64_t> done_{0};
};

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_PAGE_RELEASE_H_
