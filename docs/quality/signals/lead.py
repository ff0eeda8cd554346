"""Lead agreement: does the opening of each text appear in the other? (pairwise only)"""
from common import *
D = pickle.load(open("features2.pkl", "rb")); R = D["rows"]
texts = load_norm("full")

def lead_c(x, other_set, L):
  lead = shingles(x[:L])
  return len(lead & other_set) / len(lead) if lead else 1.0

def cut(r, c):
  sa = sum(1 for d in r["dfa"] if d <= c); sb = sum(1 for d in r["dfb"] if d <= c)
  si = sum(1 for d in r["dfi"] if d <= c); u = sa + sb - si
  return si / u if u else 0.0

G = [i / 100 for i in range(0, 101, 5)]
def run(name, rows, grid, pred, repeats=4):
  fit = fit_grid(grid, pred)
  p = fit(rows); m = score_rows(rows, pred, p)
  cv = cv_generic(rows, fit, pred, repeats=repeats)
  print(f"| {name} | {p} | {m['p']:.3f} | {m['r']:.3f} | {m['f1']:.3f} | {cv[0]:.3f} ({cv[1]:.3f}–{cv[2]:.3f}) |", flush=True)

print("| rule | fitted params | P | R | F1 fitted | CV F1 (range) |")
print("|---|---|---|---|---|---|")
for L in (100, 200, 300, 500):
  feats = []
  for r in R:
    a, b = texts[r["a"]], texts[r["b"]]
    A, B = shingles(a), shingles(b)
    la, lb = lead_c(a, B, L), lead_c(b, A, L)
    longer_lead = la if len(a) >= len(b) else lb
    feats.append((r["j"], r["c"], min(la, lb), longer_lead, cut(r, 25), cut(r, 30)))
  rows = [(f, r["y"]) for f, r in zip(feats, R)]
  run(f"L={L}: (J≥0.5 OR C≥0.8) AND minLead≥v", rows, [(v,) for v in G], lambda p, x: (x[0] >= .5 or x[1] >= .8) and x[2] >= p[0], 20)
  run(f"L={L}: (J≥0.5 OR C≥0.8) AND longerLead≥v", rows, [(v,) for v in G], lambda p, x: (x[0] >= .5 or x[1] >= .8) and x[3] >= p[0], 20)
  run(f"L={L}: (J≥0.5 OR C≥0.8) AND cut25J≥u AND minLead≥v", rows, [(u / 100, v) for u in range(0, 21, 2) for v in G],
      lambda p, x: (x[0] >= .5 or x[1] >= .8) and x[4] >= p[0] and x[2] >= p[1])
  run(f"L={L}: (J≥t OR C≥c) AND minLead≥v", rows, [(t / 100, c / 100, v) for t in range(30, 62, 4) for c in (60, 70, 80, 90, 101) for v in G],
      lambda p, x: (x[0] >= p[0] or x[1] >= p[1]) and x[2] >= p[2], 2)
  run(f"L={L}: (J≥t OR C≥c) AND cut25J≥u AND minLead≥v", rows, [(t / 100, c / 100, u / 100, v) for t in range(30, 62, 4) for c in (70, 80, 90, 101) for u in (0, 4, 6, 8, 10) for v in G[::2]],
      lambda p, x: (x[0] >= p[0] or x[1] >= p[1]) and x[4] >= p[2] and x[2] >= p[3], 1)
