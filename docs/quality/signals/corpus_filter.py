"""Effect of the df-cut filter on the whole-corpus pair list at t=0.5, C=0.8."""
from common import *
texts = load_norm("full")
labels = {(a, b): y for a, b, y in read_labels()}
df = collections.Counter()
S = {}
for i, t in texts.items():
  S[i] = shingles(t)
  df.update(S[i])
pairs = [json.loads(l) for l in open("t05c08.pairs.jsonl")]

def cutj(a, b, D):
  A = {s for s in S[a] if df[s] <= D}; B = {s for s in S[b] if df[s] <= D}
  u = len(A | B)
  return len(A & B) / u if u else 0.0

def components(edges):
  parent = {}
  def find(x):
    parent.setdefault(x, x)
    while parent[x] != x:
      parent[x] = parent[parent[x]]; x = parent[x]
    return x
  for a, b in edges:
    ra, rb = find(a), find(b)
    if ra != rb: parent[max(ra, rb)] = min(ra, rb)
  comp = collections.Counter(find(x) for x in parent)
  return sorted(comp.values(), reverse=True)

print("| filter | pairs kept | docs in clusters | clusters | largest 5 | labelled P / R / F1 |")
print("|---|---|---|---|---|---|")
for D, u in ((None, 0), (25, 0.06), (30, 0.06), (20, 0.06), (25, 0.10)):
  kept = [(p["a"], p["b"]) for p in pairs if D is None or cutj(p["a"], p["b"], D) >= u]
  sizes = components(kept)
  ks = set(kept)
  tp = sum(1 for k, y in labels.items() if y and k in ks); fp = sum(1 for k, y in labels.items() if not y and k in ks)
  m = metrics(tp, fp, sum(labels.values()) - tp)
  name = "none" if D is None else f"cut df≤{D} J≥{u}"
  print(f"| {name} | {len(kept):,} | {sum(sizes):,} | {len(sizes):,} | {', '.join(map(str, sizes[:5]))} | {m['p']:.3f} / {m['r']:.3f} / {m['f1']:.3f} |", flush=True)
