#include "src/internal/kill_point.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"

namespace neardup::internal {
namespace {

struct ArmedPoint {
  std::string name;
  uint64_t arrival = 0;  // 1-based; 0: nothing armed.
  std::atomic<uint64_t> arrivals{0};
};

// Parsed once; a malformed value arms nothing.
ArmedPoint& Armed() {
  static ArmedPoint* armed = [] {
    auto* point = new ArmedPoint;
    const char* value = std::getenv("NEARDUP_TEST_KILL_AT");
    if (value == nullptr) return point;
    absl::string_view spec(value);
    const size_t colon = spec.rfind(':');
    uint64_t arrival = 0;
    if (colon == absl::string_view::npos ||
        !absl::SimpleAtoi(spec.substr(colon + 1), &arrival)) {
      return point;
    }
    point->name = std::string(spec.substr(0, colon));
    point->arrival = arrival;
    return point;
  }();
  return *armed;
}

}  // namespace

bool KillPointReached(const char* name) {
  ArmedPoint& armed = Armed();
  if (armed.arrival == 0 || armed.name != name) return false;
  return armed.arrivals.fetch_add(1, std::memory_order_relaxed) + 1 ==
         armed.arrival;
}

void KillNow() {
  ::kill(::getpid(), SIGKILL);
  for (;;) ::pause();
}

}  // namespace neardup::internal
