// Named points where a crash test may kill the process, test-only.
//
// The crash campaign (tests/crash_campaign_test.cc) runs the CLI with
// NEARDUP_TEST_KILL_AT=NAME:N, and the process then kills itself with
// SIGKILL the Nth time it reaches the point NAME. Kills sent from outside at
// random times land where the time goes (preparing texts, fsync); these
// land in the narrow windows that decide crash safety every time: inside a
// log write, between a write and its fsync, between a snapshot's rename and
// the new log, halfway through printing decisions. Without the variable a
// point costs a check of one flag. Nothing but a crash test sets it.
//
// Example:
//
//   if (internal::KillPointReached("log-write")) {
//     WriteAll(fd, data.substr(0, data.size() / 2));  // A torn write.
//     internal::KillNow();
//   }
//   internal::KillPoint("log-fsync");  // Reached, armed: killed here.
#ifndef NEARDUP_SRC_INTERNAL_KILL_POINT_H_
#define NEARDUP_SRC_INTERNAL_KILL_POINT_H_

namespace neardup::internal {

// True exactly when this arrival at `name` is the one
// NEARDUP_TEST_KILL_AT names; the caller may then do part of its work and
// must call KillNow(). Thread-safe.
bool KillPointReached(const char* name);

// SIGKILL to this process: no destructor, flush or atexit handler runs.
[[noreturn]] void KillNow();

inline void KillPoint(const char* name) {
  if (KillPointReached(name)) KillNow();
}

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_KILL_POINT_H_
