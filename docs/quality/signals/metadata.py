"""Fields the engine does not read: publication time, source and title.

Does a time window ("copies appear within W hours of each other"), a
same-source rule, or title similarity lift the defaults' rule (J >= t or
C >= c) to F1 0.95 on the labels? Fitted and cross-validated F1, as in the
other tables. Needs features2.pkl (features2.py) and meta.pkl (load_meta).
"""
import datetime
from common import *

D = pickle.load(open("features2.pkl", "rb"))
R = D["rows"]
meta = load_meta()


def hours_apart(a, b):
  t = lambda i: datetime.datetime.strptime(meta[i][1][:19], "%Y-%m-%d %H:%M:%S")
  return abs((t(a) - t(b)).total_seconds()) / 3600


def title_jaccard(a, b):
  norm = lambda s: " ".join(s.lower().split())
  A, B = shingles(norm(meta[a][2])), shingles(norm(meta[b][2]))
  return len(A & B) / len(A | B) if A | B else 0.0


rows = [((r["j"], r["c"], hours_apart(r["a"], r["b"]),
          meta[r["a"]][0] == meta[r["b"]][0], title_jaccard(r["a"], r["b"])),
         r["y"]) for r in R]
copies = [x for x, y in rows if y]
distinct = [x for x, y in rows if not y]
print("| published within | copies | distinct pairs |")
print("|---|---|---|")
for w in (6, 24, 48, 72, 10**9):
  print(f"| {'any time' if w == 10**9 else f'{w} h'} | "
        f"{sum(x[2] <= w for x in copies)} / {len(copies)} | "
        f"{sum(x[2] <= w for x in distinct)} / {len(distinct)} |")
print()

T = [i / 100 for i in range(30, 71, 2)]
C = (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 1.01)
rules = {
    "J >= t or C >= c": (
        [(t, c) for t in T for c in C],
        lambda p, x: x[0] >= p[0] or x[1] >= p[1]),
    "... and published within W hours": (
        [(t, c, w) for t in T for c in C for w in (24, 36, 48, 72, 96, 10**9)],
        lambda p, x: (x[0] >= p[0] or x[1] >= p[1]) and x[2] <= p[2]),
    "... and from different sources": (
        [(t, c) for t in T for c in C],
        lambda p, x: (x[0] >= p[0] or x[1] >= p[1]) and not x[3]),
    "... or title Jaccard >= u": (
        [(t, c, u) for t in T for c in C for u in (0.3, 0.4, 0.5, 0.6, 0.8, 1.01)],
        lambda p, x: x[0] >= p[0] or x[1] >= p[1] or x[4] >= p[2]),
    "... and title Jaccard >= u": (
        [(t, c, u) for t in T for c in C for u in (0.0, 0.02, 0.05, 0.1, 0.2)],
        lambda p, x: (x[0] >= p[0] or x[1] >= p[1]) and x[4] >= p[2]),
}
print("| rule | fitted params | P | R | F1 fitted | CV F1 (range) |")
print("|---|---|---|---|---|---|")
for name, (grid, pred) in rules.items():
  fit = fit_grid(grid, pred)
  p = fit(rows)
  m = score_rows(rows, pred, p)
  cv = cv_generic(rows, fit, pred, repeats=4)
  print(f"| {name} | {p} | {m['p']:.3f} | {m['r']:.3f} | {m['f1']:.3f} | "
        f"{cv[0]:.3f} ({cv[1]:.3f}–{cv[2]:.3f}) |", flush=True)
