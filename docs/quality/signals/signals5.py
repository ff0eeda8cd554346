"""Number agreement as a filter on the J/C rule, alone and with the df cut."""
from common import *
D = pickle.load(open("features2.pkl", "rb"))
R, N = D["rows"], D["N"]


def cutj(r, cut):
  sa = sum(1 for d in r["dfa"] if d <= cut); sb = sum(1 for d in r["dfb"] if d <= cut)
  si = sum(1 for d in r["dfi"] if d <= cut)
  u = sa + sb - si
  return si / u if u else 0.0


def numc(r):
  a, b = r["numa"], r["numb"]
  if not a or not b:
    return 1.0
  return len(a & b) / min(len(a), len(b))


def numj(r):
  a, b = r["numa"], r["numb"]
  if not a and not b:
    return 1.0
  return len(a & b) / len(a | b)

G = [i / 100 for i in range(0, 101, 5)]
def run(name, rows, grid, pred, repeats=4):
  fit = fit_grid(grid, pred)
  p = fit(rows)
  m = score_rows(rows, pred, p)
  cv = cv_generic(rows, fit, pred, repeats=repeats)
  print(f"| {name} | {p} | {m['p']:.3f} | {m['r']:.3f} | {m['f1']:.3f} | {cv[0]:.3f} ({cv[1]:.3f}–{cv[2]:.3f}) |", flush=True)

rows = [((r["j"], r["c"], numc(r), numj(r), cutj(r, 20), cutj(r, 30)), r["y"]) for r in R]
print("| rule | fitted params | P | R | F1 fitted | CV F1 (range) |")
print("|---|---|---|---|---|---|")
run("(J≥0.5 OR C≥0.8) AND numC≥v", rows, [(v,) for v in G], lambda p, x: (x[0] >= .5 or x[1] >= .8) and x[2] >= p[0], 20)
run("(J≥0.5 OR C≥0.8) AND numJ≥v", rows, [(v,) for v in G], lambda p, x: (x[0] >= .5 or x[1] >= .8) and x[3] >= p[0], 20)
JG = [i / 100 for i in range(30, 61, 2)]
run("J≥t AND numC≥v", rows, [(t, v) for t in JG for v in G], lambda p, x: x[0] >= p[0] and x[2] >= p[1])
run("(J≥0.5 OR C≥0.8) AND cut20J≥u AND numC≥v", rows, [(u / 100, v) for u in range(0, 20, 2) for v in G],
    lambda p, x: (x[0] >= .5 or x[1] >= .8) and x[4] >= p[0] and x[2] >= p[1])
run("J≥t AND cut30J≥u AND numC≥v", rows, [(t, u / 100, v) for t in JG for u in range(10, 30, 2) for v in G],
    lambda p, x: x[0] >= p[0] and x[5] >= p[1] and x[2] >= p[2], 2)
