"""df-cut Jaccard/containment at shingle lengths n (plain and cut), one threshold + rules."""
from common import *
import sys

def sims(r, cut):
  f = (lambda d: True) if cut is None else (lambda d: d <= cut)
  sa = sum(1 for d in r["dfa"] if f(d)); sb = sum(1 for d in r["dfb"] if f(d))
  si = sum(1 for d in r["dfi"] if f(d)); u = sa + sb - si
  return (si / u if u else 0.0, si / min(sa, sb) if min(sa, sb) else 0.0)

G = [i / 100 for i in range(0, 96, 2)]
GC = [i / 100 for i in range(40, 101, 5)] + [1.01]
print("| n | keep df ≤ D | best t (J) | P | R | F1 fitted | CV F1 (range) | best J-or-C (fitted) | CV |")
print("|---|---|---|---|---|---|---|---|---|")
for n in [int(x) for x in sys.argv[1:]]:
  R = pickle.load(open(f"ngram-n{n}.pkl", "rb")) if n != 5 else pickle.load(open("features.pkl", "rb"))["rows"]
  for cut in (None, 100, 50, 30, 20, 15, 10, 7, 5, 3):
    rows = [(sims(r, cut), r["y"]) for r in R]
    t, m, cv = one_threshold(rows, 0)
    pred = lambda p, x: x[0] >= p[0] or x[1] >= p[1]
    fit = fit_grid([(a, b) for a in G for b in GC], pred)
    p = fit(rows); mr = score_rows(rows, pred, p); cvr = cv_generic(rows, fit, pred, repeats=2)
    print(f"| {n} | {cut or 'all'} | {t:.3f} | {m['p']:.3f} | {m['r']:.3f} | {m['f1']:.3f} | {cv[0]:.3f} ({cv[1]:.3f}–{cv[2]:.3f}) | J≥{p[0]:.2f} or C≥{p[1]:.2f}: {mr['f1']:.3f} | {cvr[0]:.3f} |", flush=True)
