"""Two-signal rules: plain J/C gate combined with the df-cut Jaccard."""
from common import *
import math, sys
D = pickle.load(open("features2.pkl", "rb"))
R, N = D["rows"], D["N"]


def cutsim(r, cut):
  sa = sum(1 for d in r["dfa"] if d <= cut); sb = sum(1 for d in r["dfb"] if d <= cut)
  si = sum(1 for d in r["dfi"] if d <= cut)
  u = sa + sb - si
  return (si / u if u else 0.0, si / min(sa, sb) if min(sa, sb) else 0.0)

G = [i / 100 for i in range(0, 96, 2)]
GC = [i / 100 for i in range(50, 101, 5)] + [1.01]


def run(name, rows, grid, pred, repeats=4):
  fit = fit_grid(grid, pred)
  p = fit(rows)
  m = score_rows(rows, pred, p)
  cv = cv_generic(rows, fit, pred, repeats=repeats)
  print(f"| {name} | {p} | {m['p']:.3f} | {m['r']:.3f} | {m['f1']:.3f} | {cv[0]:.3f} ({cv[1]:.3f}–{cv[2]:.3f}) |", flush=True)

print("| rule | fitted params | P | R | F1 fitted | CV F1 (range) |")
print("|---|---|---|---|---|---|")
for cut in (20, 30, 40):
  rows = [((r["j"], r["c"]) + cutsim(r, cut), r["y"]) for r in R]
  run(f"J≥t AND cut{cut}J≥u", rows, [(t, u) for t in G for u in G], lambda p, x: x[0] >= p[0] and x[2] >= p[1])
  run(f"cut{cut}J≥u OR C≥c", rows, [(u, c) for u in G for c in GC], lambda p, x: x[2] >= p[0] or x[1] >= p[1])
  run(f"(J≥0.5 OR C≥0.8) AND cut{cut}J≥u", rows, [(u,) for u in G], lambda p, x: (x[0] >= 0.5 or x[1] >= 0.8) and x[2] >= p[0], repeats=20)
  run(f"J≥t AND cut{cut}C≥v", rows, [(t, u) for t in G for u in G], lambda p, x: x[0] >= p[0] and x[3] >= p[1])
  run(f"(J≥t OR C≥c) AND cut{cut}J≥u", rows, [(t, c, u) for t in G[15:40] for c in GC for u in G[:25]],
      lambda p, x: (x[0] >= p[0] or x[1] >= p[2 - 1]) and x[2] >= p[2], repeats=2)
