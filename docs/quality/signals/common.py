"""Shared helpers for the signal study in docs/quality.md ("Beyond overlap").

Research scripts, kept to reproduce the tables; not part of the engine.
Set NEARDUP_SNN to the corpus if ../shared/data is not beside the repo.
"""
import collections, json, math, os, pickle, random, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
CORPUS = os.environ.get(
    "NEARDUP_SNN",
    os.path.join(REPO, "..", "shared", "data", "saudinewsnet-dev.jsonl.zst"))
LABELS = os.path.join(REPO, "tests", "data", "labels",
                      "saudinewsnet-dev-labels.tsv")
sys.path.insert(0, os.path.join(REPO, "docs", "quality"))


def read_labels():
  out = []
  for line in open(LABELS, encoding="utf-8"):
    if line.strip() and not line.startswith("#"):
      a, b, lab = line.rstrip("\n").split("\t")
      out.append((a, b, lab == "copy"))
  return out


def load_norm(mode="full"):
  texts = {}
  for line in open(os.path.join(HERE, f"snn-{mode}.tsv"), encoding="utf-8"):
    i, t = line.rstrip("\n").split("\t", 1)
    texts[i] = t
  return texts


def load_meta():
  path = os.path.join(HERE, "meta.pkl")
  if os.path.exists(path):
    return pickle.load(open(path, "rb"))
  meta = {}
  p = subprocess.Popen(["zstd", "-dc", CORPUS], stdout=subprocess.PIPE)
  for line in p.stdout:
    d = json.loads(line)
    meta[d["id"]] = (d["source"], d["date"], d["title"], d["text"])
  pickle.dump(meta, open(path, "wb"))
  return meta


def shingles(text, n=5):
  if not text:
    return set()
  if len(text) <= n:
    return {text}
  return {text[i:i + n] for i in range(len(text) - n + 1)}


def shingle_df(texts, wanted, n=5):
  """df of every shingle of the wanted documents, counted over all texts."""
  path = os.path.join(HERE, f"df-n{n}.pkl")
  if os.path.exists(path):
    return pickle.load(open(path, "rb"))
  df = collections.Counter()
  for t in texts.values():
    df.update(shingles(t, n))
  keep = set()
  for i in wanted:
    keep |= shingles(texts[i], n)
  out = {s: df[s] for s in keep}
  pickle.dump(out, open(path, "wb"))
  return out


def metrics(tp, fp, fn):
  p = tp / (tp + fp) if tp + fp else 1.0
  r = tp / (tp + fn) if tp + fn else 1.0
  f = 2 * p * r / (p + r) if p + r else 0.0
  return dict(tp=tp, fp=fp, fn=fn, p=p, r=r, f1=f)


def best_threshold(items):
  """items [(score, y)] -> (t, metrics), t midpoint, ties to the higher F1 first."""
  items = sorted(items, key=lambda x: -x[0])
  pos = sum(1 for _, y in items if y)
  best = (-1, None, None)
  tp = fp = 0
  for i, (s, y) in enumerate(items):
    tp += y
    fp += not y
    if i + 1 < len(items) and items[i + 1][0] == s:
      continue
    m = metrics(tp, fp, pos - tp)
    below = items[i + 1][0] if i + 1 < len(items) else 0.0
    if m["f1"] > best[0]:
      best = (m["f1"], (s + below) / 2, m)
  return best[1], best[2]


def folds(n_items, ys, k, rng):
  pos = [i for i in range(n_items) if ys[i]]
  neg = [i for i in range(n_items) if not ys[i]]
  rng.shuffle(pos)
  rng.shuffle(neg)
  f = [0] * n_items
  for g in (pos, neg):
    for j, i in enumerate(g):
      f[i] = j % k
  return f


def cv_generic(rows, fit, predict, k=5, repeats=20, seed=20261121):
  """rows: list of (features, y). fit(train_rows) -> params; predict(params,
  features) -> bool. Repeated stratified k-fold, counts summed over folds.
  Returns (mean F1, min, max, list of params)."""
  rng = random.Random(seed)
  ys = [y for _, y in rows]
  f1s, params = [], []
  for _ in range(repeats):
    f = folds(len(rows), ys, k, rng)
    tp = fp = fn = 0
    for fold in range(k):
      train = [rows[i] for i in range(len(rows)) if f[i] != fold]
      p = fit(train)
      params.append(p)
      for i in range(len(rows)):
        if f[i] != fold:
          continue
        x, y = rows[i]
        hit = predict(p, x)
        tp += y and hit
        fp += (not y) and hit
        fn += y and not hit
    f1s.append(metrics(tp, fp, fn)["f1"])
  return sum(f1s) / len(f1s), min(f1s), max(f1s), params


def score_rows(rows, predict, p):
  tp = fp = fn = 0
  for x, y in rows:
    hit = predict(p, x)
    tp += y and hit
    fp += (not y) and hit
    fn += y and not hit
  return metrics(tp, fp, fn)


def fit_grid(grid, predict):
  """fit function choosing the best params in grid by F1 (first wins ties)."""
  def fit(train):
    best = (-1, None)
    for p in grid:
      m = score_rows(train, predict, p)
      if m["f1"] > best[0]:
        best = (m["f1"], p)
    return best[1]
  return fit


def one_threshold(rows, idx=0, repeats=20):
  """Single score threshold, fitted and CV. rows features tuple, idx picks score."""
  items = [(x[idx], y) for x, y in rows]
  t, m = best_threshold(items)
  def fit(train):
    return best_threshold([(x[idx], y) for x, y in train])[0]
  cv = cv_generic(rows, fit, lambda t, x: x[idx] >= t, repeats=repeats)
  return t, m, cv
