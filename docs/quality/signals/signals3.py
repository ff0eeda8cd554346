"""Word-level rare-token agreement."""
from common import *
import math, itertools
D = pickle.load(open("features2.pkl", "rb"))
R, N = D["rows"], D["N"]
wdf = pickle.load(open("wdf.pkl", "rb"))


def wsim(A, B, w):
  sa = sum(w(x) for x in A); sb = sum(w(x) for x in B); si = sum(w(x) for x in A & B)
  u = sa + sb - si
  return (si / u if u else 0.0, si / min(sa, sb) if min(sa, sb) else 0.0,
          si / max(sa, sb) if max(sa, sb) else 0.0)


def one(name, scores, idx):
  rows = [(s, r["y"]) for s, r in zip(scores, R)]
  t, m, cv = one_threshold(rows, idx)
  print(f"| {name} | {t:.3f} | {m['p']:.3f} | {m['r']:.3f} | {m['f1']:.3f} | {cv[0]:.3f} ({cv[1]:.3f}–{cv[2]:.3f}) |", flush=True)


print("| score | t | P | R | F1 fitted | CV F1 (range) |")
print("|---|---|---|---|---|---|")
for name, w in [("1", lambda x: 1.0), ("idf", lambda x: math.log(N / wdf[x])),
                ("idf^2", lambda x: math.log(N / wdf[x]) ** 2)]:
  s = [wsim(r["wa"], r["wb"], w) for r in R]
  one(f"words {name}: J", s, 0)
  one(f"words {name}: C(min)", s, 1)
  one(f"words {name}: C(max side)", s, 2)
for K in (5, 10, 20, 50, 100, 200):
  s = [wsim(r["wa"], r["wb"], lambda x, K=K: 1.0 if wdf[x] <= K else 0.0) for r in R]
  one(f"words df≤{K}: J", s, 0)
  one(f"words df≤{K}: C", s, 1)
