// Deterministic fork-join over index ranges.
//
// Work is cut into fixed-size chunks handed out through an atomic counter, so
// the split never depends on timing; callers write results into slots indexed
// by item, which keeps every output independent of the thread count.
#ifndef NEARDUP_SRC_INTERNAL_PARALLEL_H_
#define NEARDUP_SRC_INTERNAL_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace neardup::internal {

// Resolves a user's thread count: 0 means every hardware thread.
inline int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

// Calls fn(begin, end, worker) over [0, n) in chunks of `chunk` items on up
// to `threads` threads (the calling thread is one of them). `worker` is in
// [0, threads) and lets callers keep per-thread scratch space. fn must not
// throw.
template <typename Fn>
void ParallelFor(size_t n, int threads, size_t chunk, Fn&& fn) {
  if (n == 0) return;
  chunk = std::max<size_t>(chunk, 1);
  size_t chunks = (n + chunk - 1) / chunk;
  int workers = static_cast<int>(
      std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), chunks));
  std::atomic<size_t> next{0};
  auto run = [&](int worker) {
    for (;;) {
      size_t c = next.fetch_add(1, std::memory_order_relaxed);
      if (c >= chunks) return;
      size_t begin = c * chunk;
      fn(begin, std::min(n, begin + chunk), worker);
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (int w = 1; w < workers; ++w) pool.emplace_back(run, w);
  run(0);
  for (auto& t : pool) t.join();
}

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_PARALLEL_H_
