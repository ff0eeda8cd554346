"""df-cut Jaccard at other shingle lengths: n code points (hashed)."""
from common import *
import sys, time
texts = load_norm("full")
labels = read_labels()
wanted = {x for a, b, _ in labels for x in (a, b)}


def hs(text, n):
  if not text:
    return set()
  if len(text) <= n:
    return {hash(text)}
  return {hash(text[i:i + n]) for i in range(len(text) - n + 1)}


out = {}
for n in [int(x) for x in sys.argv[1:]]:
  t0 = time.time()
  df = collections.Counter()
  for t in texts.values():
    df.update(hs(t, n))
  rows = []
  for a, b, y in labels:
    A, B = hs(texts[a], n), hs(texts[b], n)
    I = A & B
    rows.append(dict(a=a, b=b, y=y, dfa=[df[s] for s in A], dfb=[df[s] for s in B], dfi=[df[s] for s in I]))
  out[n] = rows
  del df
  print(n, time.time() - t0, flush=True)
  pickle.dump(rows, open(f"ngram-n{n}.pkl", "wb"))
