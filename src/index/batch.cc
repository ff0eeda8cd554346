#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/internal/index_batch.h"
#include "src/internal/index_json.h"
#include "src/internal/page_release.h"
#include "src/internal/parallel.h"

namespace neardup::internal {
namespace {

absl::Status Located(const Corpus& corpus, size_t i,
                     const absl::Status& status) {
  return absl::Status(status.code(),
                      absl::StrCat(corpus.Location(i), ": ", status.message()));
}

std::vector<std::unique_ptr<TextScratch>> MakeScratch(int threads) {
  std::vector<std::unique_ptr<TextScratch>> scratch(threads);
  for (auto& s : scratch) s = std::make_unique<TextScratch>();
  return scratch;
}

}  // namespace

bool CompactionDue(const IndexStats& stats, double compact_at_mb) {
  if (!(compact_at_mb > 0)) return false;
  return static_cast<double>(stats.log_bytes) >= compact_at_mb * 1e6 &&
         stats.log_bytes > stats.snapshot_bytes;
}

AddBatchResult AddCorpus(Index& index, const Corpus& corpus,
                         const BatchOptions& options) {
  AddBatchResult result;
  const size_t n = corpus.size();
  const int threads = ResolveThreads(options.threads);
  constexpr size_t kBlock = 512;
  constexpr size_t kChunk = 8;
  // The adds run on this thread, the index's single writer, while the next
  // block is prepared. Helpers take one thread fewer than asked, and this
  // thread joins them once its adds are done: with a helper per thread the
  // writer competed with them for the cores and lost its core at every
  // handover of the index's lock (about half of the writer's time in a
  // backfill of 300,000 articles; docs/index.md).
  const int helpers = std::max(1, threads - 1);
  struct Block {
    std::vector<PreparedText> prepared;
    std::vector<absl::Status> text_errors;
    size_t start = 0;
    std::atomic<size_t> next_chunk{0};
  };
  std::vector<std::unique_ptr<TextScratch>> scratch = MakeScratch(helpers + 1);
  // A mapped input's pages leave the resident set once read (3 GB at a
  // million articles otherwise).
  PeriodicRelease release(corpus);
  auto begin_block = [&](size_t start, Block* b) {
    const size_t count = std::min(kBlock, n - start);
    b->prepared.resize(count);
    b->text_errors.assign(count, absl::OkStatus());
    b->start = start;
    b->next_chunk.store(0, std::memory_order_relaxed);
  };
  // Prepares and prescreens the block's documents, kChunk at a time, until
  // none is left: verifying against what the index held before is the
  // costly part of an add, and runs here, on any number of threads; the
  // adds then only verify candidates added since. The screening is exact
  // whenever it ran (Index::Prescreen), so the decisions do not depend on
  // which thread took which chunk, or when.
  auto prepare = [&](Block* b, int worker) {
    const size_t count = b->prepared.size();
    for (;;) {
      const size_t from =
          b->next_chunk.fetch_add(1, std::memory_order_relaxed) * kChunk;
      if (from >= count) return;
      for (size_t j = from; j < std::min(count, from + kChunk); ++j) {
        auto text = corpus.Text(b->start + j, scratch[worker].get());
        b->text_errors[j] = text.status();
        if (!text.ok()) continue;
        release.Add(text->size());
        index.Prepare(*text, &b->prepared[j]);
        index.Prescreen(&b->prepared[j]);
      }
    }
  };
  auto start_helpers = [&](Block* b) {
    std::vector<std::thread> pool;
    for (int w = 0; w < helpers; ++w) pool.emplace_back(prepare, b, w);
    return pool;
  };
  Block blocks[2];
  if (n > 0) {
    begin_block(0, &blocks[0]);
    std::vector<std::thread> pool = start_helpers(&blocks[0]);
    prepare(&blocks[0], helpers);
    for (std::thread& t : pool) t.join();
  }
  for (size_t block = 0, k = 0; block < n && result.failure.ok();
       block += kBlock, ++k) {
    const Block& current = blocks[k % 2];
    Block& upcoming = blocks[(k + 1) % 2];
    std::vector<std::thread> pool;
    if (block + kBlock < n) {
      begin_block(block + kBlock, &upcoming);
      pool = start_helpers(&upcoming);
    }
    for (size_t j = 0; j < current.prepared.size(); ++j) {
      const size_t i = block + j;
      absl::StatusOr<Decision> decision =
          current.text_errors[j].ok()
              ? index.AddPrepared(
                    corpus.Id(i), current.prepared[j],
                    {.max_matches = options.max_matches, .sync = false})
              : absl::StatusOr<Decision>(current.text_errors[j]);
      if (!decision.ok()) {
        absl::Status located = Located(corpus, i, decision.status());
        if (options.skip_existing &&
            located.code() == absl::StatusCode::kAlreadyExists) {
          ++result.skipped;
          if (options.on_skip) options.on_skip(located);
          continue;
        }
        result.failure = std::move(located);
        break;
      }
      result.added += decision->status != DecisionStatus::kExists;
      result.duplicates += decision->status == DecisionStatus::kDuplicate;
      AppendDecisionJson(*decision, &result.decisions);
    }
    if (!pool.empty()) {
      // A failure ends the batch: the helpers stop after their chunk.
      if (!result.failure.ok()) {
        upcoming.next_chunk.store(upcoming.prepared.size(),
                                  std::memory_order_relaxed);
      }
      prepare(&upcoming, helpers);
      for (std::thread& t : pool) t.join();
    }
    if (options.progress) {
      options.progress(static_cast<double>(block + current.prepared.size()) /
                       static_cast<double>(n));
    }
  }
  return result;
}

QueryBatchResult QueryCorpus(const Index& index, const Corpus& corpus,
                             const BatchOptions& options) {
  QueryBatchResult result;
  const size_t n = corpus.size();
  std::vector<std::string> lines(n);
  std::vector<absl::Status> errors(n);
  const int threads = ResolveThreads(options.threads);
  std::vector<std::unique_ptr<TextScratch>> scratch = MakeScratch(threads);
  ParallelFor(n, threads, 16, [&](size_t begin, size_t end, int worker) {
    for (size_t i = begin; i < end; ++i) {
      auto text = corpus.Text(i, scratch[worker].get());
      if (!text.ok()) {
        errors[i] = text.status();
        continue;
      }
      absl::StatusOr<Decision> decision =
          index.Query(corpus.Id(i), *text, options.max_matches);
      if (!decision.ok()) {
        errors[i] = Located(corpus, i, decision.status());
        continue;
      }
      AppendDecisionJson(*decision, &lines[i]);
    }
  });
  for (size_t i = 0; i < n; ++i) {
    if (!errors[i].ok()) {
      if (options.skip_existing &&
          errors[i].code() == absl::StatusCode::kAlreadyExists) {
        ++result.skipped;
        if (options.on_skip) options.on_skip(errors[i]);
        continue;
      }
      result.failure = errors[i];
      result.decisions.clear();
      return result;
    }
    result.decisions += lines[i];
  }
  if (options.progress) options.progress(1);
  return result;
}

absl::StatusOr<uint64_t> RemoveIds(Index& index,
                                   absl::Span<const std::string> ids,
                                   absl::Span<const std::string> locations) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!index.Contains(ids[i])) {
      return absl::NotFoundError(
          absl::StrCat(locations[i], ": id \"", ids[i],
                       "\" is not in the index; nothing was removed"));
    }
  }
  uint64_t removed_count = 0;
  for (const std::string& id : ids) {
    absl::Status removed = index.Remove(id);
    // A repeated id in the list: removed once is enough.
    if (!removed.ok() && removed.code() != absl::StatusCode::kNotFound) {
      return removed;
    }
    removed_count += removed.ok();
  }
  return removed_count;
}

}  // namespace neardup::internal
