"""Per-pair features for the labelled pairs, cached to features.pkl."""
from common import *

DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
WORD = re.compile(r"\w+")


def main():
  texts = load_norm("full")
  labels = read_labels()
  wanted = {x for a, b, _ in labels for x in (a, b)}
  df = shingle_df(texts, wanted)
  N = len(texts)
  # engine J/C for a sanity check
  eng = {}
  for line in open("labelled.pairs.jsonl"):
    p = json.loads(line)
    eng[tuple(sorted((p["a"], p["b"])))] = (p["jaccard"], p["containment"])
  # word df over corpus
  wdf = collections.Counter()
  for t in texts.values():
    wdf.update(set(WORD.findall(t)))
  sets = {i: shingles(texts[i]) for i in wanted}
  rows = []
  mism = 0
  for a, b, y in labels:
    A, B = sets[a], sets[b]
    inter = A & B
    j = len(inter) / len(A | B)
    c = len(inter) / min(len(A), len(B))
    ej, ec = eng.get((a, b), (0.0, 0.0))
    if abs(ej - j) > 1e-4 and ej > 0.011:
      mism += 1
    rows.append(dict(a=a, b=b, y=y, j=j, c=c, la=len(A), lb=len(B),
                     dfa=[df[s] for s in A], dfb=[df[s] for s in B],
                     dfi=[df[s] for s in inter]))
  print("mismatches vs engine", mism, "N", N)
  pickle.dump(dict(rows=rows, N=N), open("features.pkl", "wb"))
  pickle.dump(wdf, open("wdf.pkl", "wb"))


if __name__ == "__main__":
  main()
