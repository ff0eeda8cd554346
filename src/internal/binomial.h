// The lower tail of a binomial distribution, for screens that drop a pair
// only when a count of agreeing samples is too low for the similarity asked
// for: the sketch screen (equal MinHash slots, sketch_screen.h) and the
// sampled-shingle screen (shared samples, rare_shingles.h).
//
//   const std::vector<double> log_factorial = internal::LogFactorials(128);
//   // Fewer than this many equal slots of 128 rule out J >= 0.5:
//   int bar = internal::MinSuccesses(128, 0.5, 1e-6, log_factorial);
#ifndef NEARDUP_SRC_INTERNAL_BINOMIAL_H_
#define NEARDUP_SRC_INTERNAL_BINOMIAL_H_

#include <math.h>  // lgamma_r (POSIX)

#include <cmath>
#include <cstddef>
#include <vector>

#include "absl/types/span.h"

namespace neardup::internal {

// log(n!) for n = 0..k. With lgamma_r: std::lgamma also writes the global
// `signgam`, a data race when two screens are built at once (two pipelines,
// as two Python threads run them; found by tests/tsan_test.cc).
inline std::vector<double> LogFactorials(int k) {
  std::vector<double> out(static_cast<size_t>(k) + 1);
  for (int n = 0; n <= k; ++n) {
    int sign;
    out[n] = ::lgamma_r(n + 1.0, &sign);
  }
  return out;
}

// The largest m with P(X < m) <= loss for X ~ binomial(k, p): fewer than m
// successes rule out a success rate of p or more except with probability at
// most `loss`. log_factorial must cover 0..k (LogFactorials).
inline int MinSuccesses(int k, double p, double loss,
                        absl::Span<const double> log_factorial) {
  if (p <= 0) return 0;
  if (p >= 1) return k;
  const double log_p = std::log(p);
  const double log_q = std::log1p(-p);
  double below = 0;  // P(X < m), summed as m grows.
  for (int m = 0; m <= k; ++m) {
    const double log_pmf = log_factorial[k] - log_factorial[m] -
                           log_factorial[k - m] + m * log_p + (k - m) * log_q;
    const double next = below + std::exp(log_pmf);
    if (next > loss) return m;  // P(X < m) <= loss < P(X <= m).
    below = next;
  }
  return k;
}

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_BINOMIAL_H_
