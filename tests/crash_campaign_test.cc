// The crash campaign: `neardup stream`, `neardup index add` and `neardup
// index compact` are killed with SIGKILL again and again while they ingest a
// feed of news-size articles, and after every kill the index must be whole.
//
// A round starts from an empty index and restarts a writer on the whole
// feed (a producer that re-sends everything after a crash) until the feed
// is in; every run but the round's last is killed. Kills come three ways:
//   - time: after a random delay, up to a little more than an
//     uninterrupted run takes;
//   - output: once the writer has printed a random number of bytes;
//   - point: NEARDUP_TEST_KILL_AT (src/internal/kill_point.h) makes the
//     writer kill itself at the Nth arrival at a named point: inside a log
//     write (a torn record), before and after the log's fdatasync, at each
//     step of a compaction, while recovering from the previous crash, and
//     halfway through printing decisions.
// Before a kill from outside, the writer's system call (/proc/PID/syscall)
// and the compaction's temporary files name the phase it is hit in; the
// summary counts kills per phase.
//
// After every run: `neardup index verify` passes; the index holds a prefix
// of the feed, never fewer documents than before, and every document whose
// decision was printed; each printed decision is `exists` for a document
// indexed before the run, else byte for byte the uninterrupted run's. At
// the end of a round the clusters equal the uninterrupted run's.
//
// 100 kills by default (ctest label `slow`). The long run, documented in
// docs/index.md:
//   NEARDUP_CRASH_KILLS=1000 build/rel/tests/crash_campaign_test
// Other knobs: NEARDUP_CRASH_SEED (kill choices), NEARDUP_CRASH_DOCS (feed
// size, default 2000), NEARDUP_CRASH_KILLS_PER_ROUND (default 12).
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/index.h"
#include "tests/support/child_process.h"
#include "tests/support/cli_harness.h"
#include "tests/support/generator.h"
#include "tests/support/news_feed.h"

namespace neardup::testing {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  uint64_t n = 0;
  if (value == nullptr || !absl::SimpleAtoi(value, &n)) return fallback;
  return n;
}

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

enum class Command { kStream, kAdd, kCompact };

const char* CommandName(Command c) {
  switch (c) {
    case Command::kStream:
      return "stream";
    case Command::kAdd:
      return "index add";
    case Command::kCompact:
      return "index compact";
  }
  return "";
}

// Kill points each command can reach (src/internal/kill_point.h). The
// open-* points are reached only when the previous kill left a torn log
// tail or a log a generation behind its snapshot.
std::vector<std::string> PointsOf(Command c) {
  std::vector<std::string> compaction = {"compact-begin",    "snapshot-written",
                                         "snapshot-renamed", "log-replaced",
                                         "open-truncated",   "open-log-reset"};
  if (c == Command::kCompact) return compaction;
  std::vector<std::string> points = {
      "log-write", "log-fsync", "log-synced",
      c == Command::kStream ? "stream-print" : "add-print"};
  points.insert(points.end(), compaction.begin(), compaction.end());
  return points;
}

// What the main thread of `pid` is doing, for the phase a kill from outside
// lands in; `index_dir` shows a compaction by its temporary files.
std::string ObservePhase(pid_t pid, const std::filesystem::path& index_dir) {
  std::string what;
  const std::string call = ReadAll(absl::StrCat("/proc/", pid, "/syscall"));
  std::vector<std::string> fields = absl::StrSplit(call, ' ');
  int64_t number = -2;
  uint64_t fd = ~uint64_t{0};
  if (!fields.empty() && absl::SimpleAtoi(fields[0], &number) &&
      fields.size() > 1) {
    absl::SimpleHexAtoi(fields[1], &fd);
  }
  if (call.rfind("running", 0) == 0) {
    what = "computing (user space)";
  } else if (number == SYS_read) {
    what = fd == 0 ? "reading input" : "reading a file";
  } else if (number == SYS_write) {
    what = fd == 1 ? "printing decisions" : "writing the log or snapshot";
  } else if (number == SYS_fdatasync) {
    what = "fdatasync";
  } else if (number == SYS_fsync) {
    what = "fsync";
  } else if (number == SYS_futex) {
    what = "waiting for worker threads";
  } else if (number == SYS_rename || number == SYS_renameat ||
             number == SYS_renameat2) {
    what = "rename";
  } else if (number == SYS_openat || number == SYS_close ||
             number == SYS_flock || number == SYS_ftruncate ||
             number == SYS_newfstatat || number == SYS_fstat) {
    what = "opening files";
  } else if (number == SYS_mmap || number == SYS_munmap ||
             number == SYS_madvise || number == SYS_brk ||
             number == SYS_mprotect) {
    what = "mapping memory";
  } else if (number == -2) {
    what = "unknown (no /proc/PID/syscall)";
  } else {
    what = absl::StrCat("system call ", number);
  }
  // A compaction has its temporary file open (a killed one leaves the file
  // behind, so its mere presence says nothing).
  std::error_code ec;
  for (const auto& open_file : std::filesystem::directory_iterator(
           absl::StrCat("/proc/", pid, "/fd"), ec)) {
    std::error_code link_error;
    const std::filesystem::path target =
        std::filesystem::read_symlink(open_file.path(), link_error);
    if (!link_error && target.parent_path() == index_dir &&
        (target.filename() == "snapshot.tmp" ||
         target.filename() == "log.tmp")) {
      return absl::StrCat("compaction: ", what);
    }
  }
  return what;
}

struct Tally {
  int kills = 0;
  int runs = 0;
  int rounds = 0;
  int exists_lines = 0;  // Re-sent decisions answered "exists".
  int torn_tails = 0;    // Opens that reported a torn tail.
  std::map<std::string, int> by_phase;
  std::map<std::string, int> by_mode;
  std::map<std::string, int> by_command;
  std::map<std::string, int> by_progress;  // Feed indexed when killed.
};

class CrashCampaign : public CliFixture {
 protected:
  struct Attempt {
    Command command = Command::kStream;
    std::string mode = "none";  // time, output, point, none
    std::string point;
    uint64_t arrival = 0;
    int64_t delay_us = -1;
    size_t output_bytes = 0;
  };

  struct Outcome {
    bool killed = false;
    std::string phase;
    ChildResult result;
  };

  std::vector<std::string> WriterArgs(Command c) const {
    const std::string compact_at = absl::StrCat(compact_at_mb_);
    switch (c) {
      case Command::kStream:
        return {cli_, "stream", "idx", "-q", "--compact-at-mb", compact_at};
      case Command::kAdd:
        return {cli_, "index",           "add",     "idx", "feed.jsonl",
                "-q", "--compact-at-mb", compact_at};
      case Command::kCompact:
        return {cli_, "index", "compact", "idx", "-q"};
    }
    return {};
  }

  Outcome Execute(const Attempt& run) {
    ChildOptions options;
    options.args = WriterArgs(run.command);
    options.dir = dir_.string();
    if (run.command == Command::kStream) {
      options.pipe_stdin = true;
      options.stdin_data = feed_;
    }
    if (run.mode == "point") {
      options.env.push_back(
          absl::StrCat("NEARDUP_TEST_KILL_AT=", run.point, ":", run.arrival));
    }
    Outcome outcome;
    Child child(options);
    if (child.pid() < 0) {
      ADD_FAILURE() << child.error();
      return outcome;
    }
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::microseconds(run.delay_us);
    bool sent = false;
    for (;;) {
      int timeout_ms = 5;
      if (run.mode == "time") {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - Clock::now());
        timeout_ms = static_cast<int>(std::max<int64_t>(0, left.count()));
        timeout_ms = std::min(timeout_ms, 5);
      }
      const bool open = child.Pump(timeout_ms);
      const bool due =
          (run.mode == "time" && Clock::now() >= deadline) ||
          (run.mode == "output" && child.out().size() >= run.output_bytes);
      if (due) {
        outcome.phase = ObservePhase(child.pid(), dir_ / "idx");
        child.Kill();
        sent = true;
        break;
      }
      if (!open) break;
    }
    outcome.result = child.Wait();
    const bool by_kill = outcome.result.term_signal == SIGKILL;
    if (by_kill && !sent) outcome.phase = "point " + run.point;
    outcome.killed = by_kill;
    return outcome;
  }

  // The index after a run: verifies, holds a prefix of the feed no shorter
  // than `*known` or than `printed`; updates `*known`.
  void CheckIndex(size_t printed, size_t* known, const std::string& context) {
    RunResult verify = CliFixture::Run("index verify idx -q");
    ASSERT_EQ(verify.exit_code, 0) << context << "\n" << verify.err;
    tally_.torn_tails += verify.err.find("torn tail") != std::string::npos;
    auto index = Index::Open((dir_ / "idx").string(), {.read_only = true});
    ASSERT_TRUE(index.ok()) << context << "\n" << index.status();
    const size_t k = (*index)->stats().documents;
    ASSERT_LE(k, ids_.size()) << context;
    ASSERT_GE(k, *known) << context << ": documents were lost";
    ASSERT_GE(k, printed) << context << ": a printed decision is missing";
    for (size_t i = 0; i < ids_.size(); ++i) {
      ASSERT_EQ((*index)->Contains(ids_[i]), i < k)
          << context << ": not a prefix of the feed at " << i;
    }
    *known = k;
  }

  // Printed decisions (complete lines): `exists` for the first `known`
  // records, the uninterrupted run's decision for the rest.
  size_t CheckDecisions(const std::string& out, size_t known,
                        const std::string& context) {
    const size_t end = out.rfind('\n');
    const std::vector<std::string> lines =
        Lines(end == std::string::npos ? "" : out.substr(0, end + 1));
    EXPECT_LE(lines.size(), ids_.size()) << context;
    for (size_t i = 0; i < lines.size() && i < ids_.size(); ++i) {
      if (i < known) {
        EXPECT_EQ(lines[i].rfind(absl::StrCat("{\"id\":\"", ids_[i],
                                              "\",\"status\":\"exists\""),
                                 0),
                  0u)
            << context << ": record " << i << ": " << lines[i];
        ++tally_.exists_lines;
      } else {
        EXPECT_EQ(lines[i], reference_[i]) << context << ": record " << i;
      }
    }
    return lines.size();
  }

  std::map<std::string, std::string> Clusters(const std::string& dir) {
    std::map<std::string, std::string> out;
    auto index = Index::Open((dir_ / dir).string(), {.read_only = true});
    EXPECT_TRUE(index.ok()) << index.status();
    if (!index.ok()) return out;
    for (const std::string& id : ids_) {
      auto c = (*index)->ClusterOf(id);
      out[id] = c.ok() ? *c : "<missing>";
    }
    return out;
  }

  std::string feed_;
  std::vector<std::string> ids_;
  std::vector<std::string> reference_;
  double compact_at_mb_ = 0.5;
  Tally tally_;
};

TEST_F(CrashCampaign, KilledWritersLoseNothingAcknowledged) {
  const int target = static_cast<int>(EnvOr("NEARDUP_CRASH_KILLS", 100));
  const uint64_t seed = EnvOr("NEARDUP_CRASH_SEED", 1);
  const size_t docs = EnvOr("NEARDUP_CRASH_DOCS", 2000);
  const int per_round =
      static_cast<int>(EnvOr("NEARDUP_CRASH_KILLS_PER_ROUND", 12));
  // A writer that dies while this process feeds its stdin must not take
  // the test with it.
  ::signal(SIGPIPE, SIG_IGN);
  const auto campaign_start = Clock::now();

  feed_ = NewsFeed(docs, 11, &ids_);
  WriteAll(dir_ / "feed.jsonl", feed_);

  // The uninterrupted run: its decisions and clusters are what every
  // interrupted round must reproduce.
  ASSERT_EQ(CliFixture::Run("index create ref -q").exit_code, 0);
  ChildOptions reference;
  reference.args = {cli_, "stream",          "ref",
                    "-q", "--compact-at-mb", absl::StrCat(compact_at_mb_)};
  reference.dir = dir_.string();
  reference.pipe_stdin = true;
  reference.stdin_data = feed_;
  const auto reference_start = Clock::now();
  ChildResult ref = RunChild(reference);
  const double reference_seconds = Seconds(Clock::now() - reference_start);
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  reference_ = Lines(ref.out);
  ASSERT_EQ(reference_.size(), ids_.size());
  const std::map<std::string, std::string> expected = Clusters("ref");
  auto ref_index = Index::Open((dir_ / "ref").string(), {.read_only = true});
  ASSERT_TRUE(ref_index.ok());
  const IndexStats ref_stats = (*ref_index)->stats();
  ref_index->reset();
  // `index add` prints the same decisions.
  {
    ASSERT_EQ(CliFixture::Run("index create same -q").exit_code, 0);
    RunResult add = CliFixture::Run(absl::StrCat(
        "index add same feed.jsonl -q --compact-at-mb ", compact_at_mb_));
    ASSERT_EQ(add.exit_code, 0) << add.err;
    ASSERT_EQ(Lines(add.out), reference_);
    std::filesystem::remove_all(dir_ / "same");
  }
  const auto compact_start = Clock::now();
  ASSERT_EQ(CliFixture::Run("index compact ref -q").exit_code, 0);
  const double compact_seconds = Seconds(Clock::now() - compact_start);

  Rng rng(seed);
  while (tally_.kills < target) {
    ++tally_.rounds;
    std::filesystem::remove_all(dir_ / "idx");
    ASSERT_EQ(CliFixture::Run("index create idx -q").exit_code, 0);
    size_t known = 0;
    int round_kills = 0;
    for (;;) {
      Attempt run;
      const bool last = round_kills >= per_round || tally_.kills >= target;
      if (!last) {
        const uint64_t pick = rng.Uniform(10);
        run.command = pick < 6   ? Command::kStream
                      : pick < 9 ? Command::kAdd
                                 : Command::kCompact;
        const uint64_t how =
            rng.Uniform(run.command == Command::kCompact ? 2 : 3);
        if (how == 0) {
          run.mode = "time";
          // A re-sent prefix goes faster than new documents, so the span
          // is no longer than an uninterrupted run: most kills land.
          const double span = run.command == Command::kCompact
                                  ? compact_seconds * 1.5
                                  : reference_seconds;
          run.delay_us = static_cast<int64_t>(rng.UniformDouble() * span * 1e6);
        } else if (how == 1) {
          run.mode = "point";
          const std::vector<std::string> points = PointsOf(run.command);
          run.point = points[rng.Uniform(points.size())];
          // The log points come once per read that added something (a
          // pipe read is at most 64 KB) or once per `index add`.
          const size_t left_bytes =
              feed_.size() * (ids_.size() - known) / ids_.size();
          const uint64_t reads =
              run.command == Command::kStream ? left_bytes / 65536 + 1 : 1;
          const bool per_read =
              run.point.rfind("log-", 0) == 0 && run.point != "log-replaced";
          run.arrival =
              1 +
              rng.Uniform(per_read || run.point == "stream-print" ? reads : 2);
        } else {
          run.mode = "output";
          // Within what this run will print: `exists` lines for the
          // documents already in, the reference's for the rest.
          size_t expected_bytes = 0;
          for (size_t i = 0; i < ids_.size(); ++i) {
            expected_bytes +=
                i < known ? 2 * ids_[i].size() + 58 : reference_[i].size() + 1;
          }
          run.output_bytes = 1 + rng.Uniform(expected_bytes * 95 / 100);
        }
      }
      const std::string context = absl::StrCat(
          "round ", tally_.rounds, ", run ", tally_.runs + 1, ": ",
          CommandName(run.command), ", kill by ", run.mode, " ", run.point,
          run.arrival > 0 ? absl::StrCat(":", run.arrival) : "",
          run.delay_us >= 0 ? absl::StrCat(" ", run.delay_us, " us") : "",
          run.output_bytes > 0 ? absl::StrCat(" ", run.output_bytes, " bytes")
                               : "",
          " (seed ", seed, ", ", known, " documents indexed before)");
      Outcome outcome = Execute(run);
      ++tally_.runs;
      const size_t printed =
          run.command == Command::kCompact
              ? 0
              : CheckDecisions(outcome.result.out, known, context);
      if (outcome.killed) {
        ++tally_.kills;
        ++round_kills;
        ++tally_.by_phase[outcome.phase];
        ++tally_.by_mode[run.mode];
        ++tally_.by_command[CommandName(run.command)];
        const size_t quarter = std::min<size_t>(3, known * 4 / ids_.size());
        ++tally_.by_progress[absl::StrCat(quarter * 25, "-", quarter * 25 + 25,
                                          " %")];
      } else {
        ASSERT_EQ(outcome.result.exit_code, 0) << context << "\n"
                                               << outcome.result.err;
        if (run.command != Command::kCompact) {
          ASSERT_EQ(printed, ids_.size()) << context;
        }
      }
      ASSERT_NO_FATAL_FAILURE(CheckIndex(printed, &known, context));
      if (::testing::Test::HasFailure()) return;
      if (!outcome.killed && run.command != Command::kCompact) break;
    }
    // The round is complete: everything in, the same clusters as one
    // uninterrupted run.
    ASSERT_EQ(known, ids_.size());
    ASSERT_EQ(Clusters("idx"), expected) << "round " << tally_.rounds;
    auto index = Index::Open((dir_ / "idx").string(), {.read_only = true});
    ASSERT_TRUE(index.ok());
    EXPECT_EQ((*index)->stats().clusters, ref_stats.clusters);
    EXPECT_EQ((*index)->stats().clusters_of_two_or_more,
              ref_stats.clusters_of_two_or_more);
  }

  const double total_seconds = Seconds(Clock::now() - campaign_start);
  std::printf(
      "crash campaign: %d kills in %d runs over %d rounds, %zu documents "
      "(%.1f MB) per round, seed %llu, %.0f s; uninterrupted stream %.2f s, "
      "compact %.2f s; %d re-sent decisions answered exists; %d torn tails "
      "seen by verify\n",
      tally_.kills, tally_.runs, tally_.rounds, ids_.size(), feed_.size() / 1e6,
      static_cast<unsigned long long>(seed), total_seconds, reference_seconds,
      compact_seconds, tally_.exists_lines, tally_.torn_tails);
  auto print = [](const char* title, const std::map<std::string, int>& counts) {
    std::printf("kills by %s:\n", title);
    for (const auto& [name, n] : counts) {
      std::printf("  %-52s %5d\n", name.c_str(), n);
    }
  };
  print("trigger", tally_.by_mode);
  print("share of the feed indexed before the run", tally_.by_progress);
  print("command", tally_.by_command);
  print("phase", tally_.by_phase);
  EXPECT_GE(tally_.kills, target);
}

}  // namespace
}  // namespace neardup::testing
