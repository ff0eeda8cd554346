"""Print misjudged pairs under a rule, with titles and a word diff summary."""
from common import *
import math, sys
D = pickle.load(open("features.pkl", "rb"))
R, N = D["rows"], D["N"]
meta = load_meta()
texts = load_norm()
WORD = re.compile(r"\w+")
wdf = pickle.load(open("wdf.pkl", "rb"))

def cut(r, D=30):
  sa = sum(1 for d in r["dfa"] if d <= D); sb = sum(1 for d in r["dfb"] if d <= D)
  si = sum(1 for d in r["dfi"] if d <= D)
  u = sa + sb - si
  return (si / u if u else 0, si / min(sa, sb) if min(sa, sb) else 0, sa, sb, si)

mode = sys.argv[1] if len(sys.argv) > 1 else "plain"
for r in sorted(R, key=lambda r: -r["j"]):
  cj, cc, sa, sb, si = cut(r)
  if mode == "plain":
    hit = r["j"] >= 0.5 or r["c"] >= 0.8
  else:
    hit = cj >= 0.2
  if hit == r["y"]:
    continue
  a, b = r["a"], r["b"]
  wa, wb = set(WORD.findall(texts[a])), set(WORD.findall(texts[b]))
  onlya = sorted(wa - wb, key=lambda w: wdf[w])[:12]
  onlyb = sorted(wb - wa, key=lambda w: wdf[w])[:12]
  na = sorted(w for w in wa if w.isdigit()); nb = sorted(w for w in wb if w.isdigit())
  print(f"== {'FALSE COPY' if hit else 'MISSED COPY'} {a} {b} J {r['j']:.3f} C {r['c']:.3f} | cut30 J {cj:.3f} C {cc:.3f} (|A|{sa} |B|{sb} ∩{si}) len {r['la']} {r['lb']}")
  for i in (a, b):
    s, d, t, _ = meta[i]
    print(f"   [{s} {d}] {t}")
  print(f"   nums A: {' '.join(na[:20])}")
  print(f"   nums B: {' '.join(nb[:20])}")
  print(f"   rare only A: {' '.join(onlya)}")
  print(f"   rare only B: {' '.join(onlyb)}")
