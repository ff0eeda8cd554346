from common import *
D = pickle.load(open("features2.pkl", "rb")); R = D["rows"]
meta = load_meta()
def cutj(r, cut, k="df"):
  sa = sum(1 for d in r[k+"a"] if d <= cut); sb = sum(1 for d in r[k+"b"] if d <= cut)
  si = sum(1 for d in r[k+"i"] if d <= cut); u = sa + sb - si
  return si / u if u else 0.0
for r in R:
  x, y = cutj(r, 30), cutj(r, 20, "dfc")
  px, py = x >= 0.201, y >= 0.18
  if px != py:
    print(f"{'copy' if r['y'] else 'dist'} doc30 {x:.3f} {'Y' if px else 'n'} clu20 {y:.3f} {'Y' if py else 'n'} J {r['j']:.3f} | {meta[r['a']][2][:60]} | {meta[r['b']][2][:60]}")
