from common import *
import math
D = pickle.load(open("features2.pkl", "rb"))
R, N = D["rows"], D["N"]
wdf = pickle.load(open("wdf.pkl", "rb"))


def cutsim(r, cut, key="df"):
  A = r[key + "a"]; B = r[key + "b"]; I = r[key + "i"]
  sa = sum(1 for d in A if d <= cut); sb = sum(1 for d in B if d <= cut)
  si = sum(1 for d in I if d <= cut)
  u = sa + sb - si
  return (si / u if u else 0.0, si / min(sa, sb) if min(sa, sb) else 0.0)


def longrun(r, L):
  """coverage by shared runs of >= L shingles: J-like and C-like."""
  ca = sum(x for x in r["runsa"] if x >= L)
  cb = sum(x for x in r["runsb"] if x >= L)
  na, nb = max(1, r["lena"] - 4), max(1, r["lenb"] - 4)
  # approximate 'intersection' as mean covered, union as na+nb-inter
  inter = (ca + cb) / 2
  return inter / (na + nb - inter), max(ca / na, cb / nb) if True else 0


def one(name, scores):
  rows = [((s,), r["y"]) for s, r in zip(scores, R)]
  t, m, cv = one_threshold(rows, 0)
  print(f"| {name} | {t:.3f} | {m['p']:.3f} | {m['r']:.3f} | {m['f1']:.3f} | {cv[0]:.3f} ({cv[1]:.3f}–{cv[2]:.3f}) |", flush=True)


print("### single scores\n")
print("| score | t | P | R | F1 fitted | CV F1 (range) |")
print("|---|---|---|---|---|---|")
one("plain J", [r["j"] for r in R])
one("plain C", [r["c"] for r in R])
for cut in (50, 40, 30, 25, 20, 15):
  one(f"doc-df cut {cut}: J", [cutsim(r, cut)[0] for r in R])
for cut in (50, 40, 30, 25, 20, 15, 10):
  one(f"cluster08-df cut {cut}: J", [cutsim(r, cut, "dfc")[0] for r in R])
  one(f"cluster08-df cut {cut}: C", [cutsim(r, cut, "dfc")[1] for r in R])
for L in (5, 10, 20, 40, 80):
  lj = [longrun(r, L) for r in R]
  one(f"long-run ≥{L} shingles: J", [x[0] for x in lj])
  one(f"long-run ≥{L} shingles: C(max)", [x[1] for x in lj])
# number agreement
def numj(r):
  a, b = r["numa"], r["numb"]
  if not a and not b:
    return 1.0
  return len(a & b) / len(a | b)
one("numbers Jaccard", [numj(r) for r in R])
