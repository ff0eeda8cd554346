"""IDF-weighted and df-cut Jaccard / containment on the labelled pairs."""
from common import *
import math

D = pickle.load(open("features.pkl", "rb"))
R, N = D["rows"], D["N"]


def wsim(r, w):
  sa = sum(w(d) for d in r["dfa"])
  sb = sum(w(d) for d in r["dfb"])
  si = sum(w(d) for d in r["dfi"])
  u = sa + sb - si
  j = si / u if u > 0 else 0.0
  c = si / min(sa, sb) if min(sa, sb) > 0 else 0.0
  return j, c


JT = [i / 100 for i in range(2, 96, 2)]
CT = [i / 100 for i in range(30, 101, 5)] + [1.01]
RULE_GRID = [(t, c) for t in JT for c in CT]


def rule_pred(p, x):
  return x[0] >= p[0] or x[1] >= p[1]


def report(name, feats):
  rows = [(f, r["y"]) for f, r in zip(feats, R)]
  tj, mj, cvj = one_threshold(rows, 0)
  tc, mc, cvc = one_threshold(rows, 1)
  fit = fit_grid(RULE_GRID, rule_pred)
  p = fit(rows)
  mr = score_rows(rows, rule_pred, p)
  cvr = cv_generic(rows, fit, rule_pred, repeats=4)
  print(f"| {name} | {tj:.3f} | {mj['p']:.3f} | {mj['r']:.3f} | {mj['f1']:.3f} | {cvj[0]:.3f} | "
        f"{tc:.3f}: {mc['f1']:.3f} | {cvc[0]:.3f} | J≥{p[0]:.2f} or C≥{p[1]:.2f}: {mr['f1']:.3f} "
        f"(P {mr['p']:.3f} R {mr['r']:.3f}) | {cvr[0]:.3f} |", flush=True)


print("| weighting | best t (J) | P | R | F1 fitted | CV F1 | best C: F1 | CV | best J-or-C (fitted) | CV |")
print("|---|---|---|---|---|---|---|---|---|---|")
report("none (plain)", [(r["j"], r["c"]) for r in R])
for name, w in [
    ("idf log(N/df)", lambda d: math.log(N / d)),
    ("idf^2", lambda d: math.log(N / d) ** 2),
    ("1/df", lambda d: 1.0 / d),
    ("1/sqrt(df)", lambda d: d ** -0.5),
    ("min(1, 20/df)", lambda d: min(1.0, 20.0 / d)),
    ("min(1, 10/df)", lambda d: min(1.0, 10.0 / d)),
    ("min(1, 50/df)", lambda d: min(1.0, 50.0 / d)),
]:
  report(name, [wsim(r, w) for r in R])
for cut in (200, 100, 50, 40, 30, 25, 20, 15, 10):
  report(f"cut df ≤ {cut}", [wsim(r, lambda d, cut=cut: 1.0 if d <= cut else 0.0) for r in R])
