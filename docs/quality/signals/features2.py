"""Extra per-pair features: df over 0.8-clusters, shared-run structure, numbers."""
from common import *

WORD = re.compile(r"\w+")
NUM = re.compile(r"\d+")


def main():
  texts = load_norm("full")
  labels = read_labels()
  wanted = {x for a, b, _ in labels for x in (a, b)}
  group = {i: i for i in texts}
  for line in open("c08.jsonl"):
    cl = json.loads(line)
    for m in cl["members"]:
      group[m["id"]] = cl["cluster"]
  members = collections.defaultdict(list)
  for i, g in group.items():
    members[g].append(i)
  dfc = collections.Counter()
  keep = set()
  for i in wanted:
    keep |= shingles(texts[i])
  for g, ms in members.items():
    u = set()
    for i in ms:
      u |= shingles(texts[i])
    dfc.update(u & keep)
  print("groups", len(members))
  pickle.dump(dfc, open("dfc08.pkl", "wb"))
  D = pickle.load(open("features.pkl", "rb"))
  df = shingle_df(texts, wanted)
  for r in D["rows"]:
    a, b = r["a"], r["b"]
    A, B = shingles(texts[a]), shingles(texts[b])
    inter = A & B
    r["dfca"] = [dfc[s] for s in A]
    r["dfcb"] = [dfc[s] for s in B]
    r["dfci"] = [dfc[s] for s in inter]
    # runs of shared shingles along each text
    for side, t in (("a", texts[a]), ("b", texts[b])):
      other = B if side == "a" else A
      runs = []
      cur = 0
      n = max(1, len(t) - 4)
      for k in range(n):
        s = t[k:k + 5]
        if s in other:
          cur += 1
        elif cur:
          runs.append(cur)
          cur = 0
      if cur:
        runs.append(cur)
      r["runs" + side] = runs
      r["len" + side] = len(t)
    na, nb = set(NUM.findall(texts[a])), set(NUM.findall(texts[b]))
    r["numa"], r["numb"] = na, nb
    r["wa"], r["wb"] = set(WORD.findall(texts[a])), set(WORD.findall(texts[b]))
  pickle.dump(D, open("features2.pkl", "wb"))


if __name__ == "__main__":
  main()
