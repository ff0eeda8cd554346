"""Nested choice: the cut D and the threshold(s) are both chosen on the training folds."""
from common import *
import sys
D = pickle.load(open("features2.pkl", "rb")); R5 = D["rows"]
Rn = {5: R5}
for n in (8, 12, 16):
  Rn[n] = pickle.load(open(f"ngram-n{n}.pkl", "rb"))
CUTS = (15, 20, 25, 30, 40, 50)

def cut(r, c):
  sa = sum(1 for d in r["dfa"] if d <= c); sb = sum(1 for d in r["dfb"] if d <= c)
  si = sum(1 for d in r["dfi"] if d <= c); u = sa + sb - si
  return si / u if u else 0.0

for n, R in Rn.items():
  # features: plain J, C, then cutJ for each D
  rows = [((r5["j"], r5["c"]) + tuple(cut(r, c) for c in CUTS), r5["y"]) for r, r5 in zip(R, R5)]
  def fit(train):
    best = (-1, None)
    for k in range(len(CUTS)):
      t, m = best_threshold([(x[2 + k], y) for x, y in train])
      if m["f1"] > best[0]:
        best = (m["f1"], (k, t))
    return best[1]
  pred = lambda p, x: x[2 + p[0]] >= p[1]
  cv = cv_generic(rows, fit, pred, repeats=20)
  ds = collections.Counter(CUTS[p[0]] for p in cv[3])
  # filter on the default rule, D and u chosen on train
  G = [i / 100 for i in range(0, 61, 2)]
  grid = [(k, u) for k in range(len(CUTS)) for u in G]
  pred2 = lambda p, x: (x[0] >= 0.5 or x[1] >= 0.8) and x[2 + p[0]] >= p[1]
  fit2 = fit_grid(grid, pred2)
  p2 = fit2(rows); m2 = score_rows(rows, pred2, p2)
  cv2 = cv_generic(rows, fit2, pred2, repeats=10)
  ds2 = collections.Counter(CUTS[p[0]] for p in cv2[3])
  print(f"| {n} | {cv[0]:.3f} ({cv[1]:.3f}–{cv[2]:.3f}) | {dict(ds)} | D={CUTS[p2[0]]}, u={p2[1]}: {m2['f1']:.3f} (P {m2['p']:.3f} R {m2['r']:.3f}) | {cv2[0]:.3f} ({cv2[1]:.3f}–{cv2[2]:.3f}) | {dict(ds2)} |", flush=True)
