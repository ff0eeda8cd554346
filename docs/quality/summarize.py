#!/usr/bin/env python3
"""Turns the outputs of docs/quality/run_study.sh into the tables of docs/quality.md.

    python3 docs/quality/summarize.py OUT_DIR [LABELS_TSV] [--errors]

Prints markdown on standard output. Only the standard library is used.
"""
import collections
import json
import os
import random
import sys

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
OUT = ARGS[0]
LABELS = ARGS[1] if len(ARGS) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "..", "tests", "data", "labels",
    "saudinewsnet-dev-labels.tsv")


def load(name):
  path = os.path.join(OUT, name)
  if not os.path.exists(path):
    return None
  with open(path) as f:
    try:
      return json.load(f)
    except ValueError:  # still being written
      return None


def run_at(d, t):
  for r in [d["result"]] + d.get("sweep", []):
    if abs(r["threshold"] - t) < 1e-9:
      return r
  return None


def engine_seconds(r):
  return sum(r["seconds"].values())


def read_labels():
  labels = {}
  with open(LABELS, encoding="utf-8") as f:
    for line in f:
      if line.strip() and not line.startswith("#"):
        a, b, lab = line.rstrip("\n").split("\t")
        labels[tuple(sorted((a, b)))] = lab == "copy"
  return labels


def read_pairs(name):
  """{(a, b): (jaccard, containment, link)} from a --pairs file."""
  pairs = {}
  path = os.path.join(OUT, name)
  if not os.path.exists(path):
    return None
  with open(path, encoding="utf-8") as f:
    for line in f:
      p = json.loads(line)
      pairs[tuple(sorted((p["a"], p["b"])))] = (p["jaccard"], p["containment"],
                                                p.get("link", "jaccard"))
  return pairs


def prf(decisions, labels):
  tp = sum(1 for k, y in labels.items() if y and decisions(k))
  fp = sum(1 for k, y in labels.items() if not y and decisions(k))
  fn = sum(1 for k, y in labels.items() if y and not decisions(k))
  return metrics(tp, fp, fn)


def metrics(tp, fp, fn):
  p = tp / (tp + fp) if tp + fp else 1.0
  r = tp / (tp + fn) if tp + fn else 1.0
  f = 2 * p * r / (p + r) if p + r else 0.0
  return {"tp": tp, "fp": fp, "fn": fn, "p": p, "r": r, "f1": f}


def best_threshold(items):
  """items: [(score, is_copy)]. Best F1 of 'copy when score >= t'; t is the
  midpoint between the lowest included score and the next lower one."""
  items = sorted(items, key=lambda x: -x[0])
  total_pos = sum(1 for _, y in items if y)
  best = (-1, None, None)
  tp = fp = 0
  for i, (s, y) in enumerate(items):
    tp += y
    fp += not y
    if i + 1 < len(items) and items[i + 1][0] == s:
      continue
    m = metrics(tp, fp, total_pos - tp)
    below = items[i + 1][0] if i + 1 < len(items) else 0.0
    if m["f1"] > best[0]:
      best = (m["f1"], (s + below) / 2, m)
  return best[1], best[2]


def cross_validate(items, folds=5, repeats=20, seed=20261121):
  """Repeated stratified k-fold: choose the best threshold on k-1 folds and
  score the held-out fold; confusion counts are summed over the folds, then
  F1 is averaged over the repeats. Returns (mean F1, min, max, thresholds)."""
  rng = random.Random(seed)
  f1s, thresholds = [], []
  pos = [x for x in items if x[1]]
  neg = [x for x in items if not x[1]]
  for _ in range(repeats):
    rng.shuffle(pos)
    rng.shuffle(neg)
    fold_of = {}
    for group in (pos, neg):
      for i, x in enumerate(group):
        fold_of[id(x)] = i % folds
    tp = fp = fn = 0
    for k in range(folds):
      train = [x for x in items if fold_of[id(x)] != k]
      test = [x for x in items if fold_of[id(x)] == k]
      t, _ = best_threshold(train)
      thresholds.append(t)
      for s, y in test:
        tp += y and s >= t
        fp += (not y) and s >= t
        fn += y and s < t
    f1s.append(metrics(tp, fp, fn)["f1"])
  return sum(f1s) / len(f1s), min(f1s), max(f1s), thresholds


RULE_T = [i / 100 for i in range(30, 81, 2)]
RULE_C = [i / 100 for i in range(60, 101, 5)] + [1.01]  # 1.01: containment off


def best_rule(items):
  """items: [(jaccard, containment, is_copy)]. Best F1 of 'copy when J >= t
  or C >= c' over a coarse grid; returns (t, c, metrics)."""
  total_pos = sum(1 for *_, y in items if y)
  best = (-1, None, None, None)
  for t in RULE_T:
    for c in RULE_C:
      tp = sum(1 for j, cc, y in items if y and (j >= t or cc >= c))
      fp = sum(1 for j, cc, y in items if not y and (j >= t or cc >= c))
      m = metrics(tp, fp, total_pos - tp)
      if m["f1"] > best[0]:
        best = (m["f1"], t, c, m)
  return best[1], best[2], best[3]


def cross_validate_rule(items, folds=5, repeats=4, seed=20261121):
  rng = random.Random(seed)
  f1s = []
  pos = [x for x in items if x[2]]
  neg = [x for x in items if not x[2]]
  for _ in range(repeats):
    rng.shuffle(pos)
    rng.shuffle(neg)
    fold_of = {}
    for group in (pos, neg):
      for i, x in enumerate(group):
        fold_of[id(x)] = i % folds
    tp = fp = fn = 0
    for k in range(folds):
      t, c, _ = best_rule([x for x in items if fold_of[id(x)] != k])
      for j, cc, y in (x for x in items if fold_of[id(x)] == k):
        hit = j >= t or cc >= c
        tp += y and hit
        fp += (not y) and hit
        fn += y and not hit
    f1s.append(metrics(tp, fp, fn)["f1"])
  return sum(f1s) / len(f1s)


def f(x, d=3):
  return f"{x:.{d}f}"


def intc(x):
  return f"{x:,}"


def ngram_table():
  print("### N-gram size (normalize full, 128 permutations, oph)\n")
  print("| n | SNN true pairs J≥0.8 | SNN recall @0.8 (min over sweep) | SNN cand/true @0.8 | @0.4 | SNN engine s @0.8 | @0.4 | exact search s | Reuters true @0.8 | Reuters recall @0.8 (min) | Reuters cand/true @0.8 | Reuters engine s @0.8 |")
  print("|---|---|---|---|---|---|---|---|---|---|---|---|")
  for n in range(3, 10):
    s, r = load(f"snn-n{n}.json"), load(f"reu-n{n}.json")
    if not s or not r:
      continue
    s8, s4, r8 = run_at(s, 0.8), run_at(s, 0.4), run_at(r, 0.8)
    smin = min(x["recall"] for x in s["sweep"])
    rmin = min(x["recall"] for x in r["sweep"])
    print(f"| {n} | {intc(s8['true_pairs'])} | {f(s8['recall'],4)} ({f(smin,4)}) | "
          f"{f(s8['candidates_per_true_pair'],2)} | {f(s4['candidates_per_true_pair'],1)} | "
          f"{f(engine_seconds(s8),2)} | {f(engine_seconds(s4),2)} | "
          f"{f(s['truth']['exact_search']['seconds']['total'],1)} | {intc(r8['true_pairs'])} | "
          f"{f(r8['recall'],4)} ({f(rmin,4)}) | {f(r8['candidates_per_true_pair'],2)} | "
          f"{f(engine_seconds(r8),2)} |")
  print()
  print("The engine's own label F1 at each swept threshold (SaudiNewsNet; pairs it reports at t are copies), "
        "and the cost at the best one:\n")
  print("| n | F1 @0.3 | @0.4 | @0.5 | @0.6 | @0.8 | best swept t | its candidates | cand/true | engine s | recall vs exact |")
  print("|---|---|---|---|---|---|---|---|---|---|---|")
  for n in range(3, 10):
    s = load(f"snn-n{n}.json")
    if not s:
      continue
    runs = {round(r["threshold"], 2): r for r in s["sweep"]}
    best = max(s["sweep"], key=lambda r: (r["labels"]["f1"], r["threshold"]))
    cells = " | ".join(f(runs[t]["labels"]["f1"]) if t in runs else "–" for t in (0.3, 0.4, 0.5, 0.6, 0.8))
    print(f"| {n} | {cells} | {best['threshold']:.1f} | {intc(best['candidates'])} | "
          f"{f(best['candidates_per_true_pair'],1)} | {f(engine_seconds(best),2)} | {f(best['recall'],4)} |")
  print()


def labels_by_setting_table(labels):
  print("### Label F1 of \"copy when J ≥ t\" by setting (exact Jaccard of the 335 labelled pairs)\n")
  print("Best t and F1 are fitted on all 335 pairs (optimistic). CV F1 is repeated "
        "stratified 5-fold cross-validation (20 repeats): the threshold is chosen on "
        "4/5 of the pairs and scored on the rest. F1 @0.8 is the current default threshold.\n")
  print("| normalize | n | best t | P | R | F1 (fitted) | CV F1 (range) | CV thresholds | F1 @0.8 | F1 @0.5 | F1 J≥0.5 or C≥0.8 | best J-or-C rule: F1 (fitted) | CV F1 |")
  print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
  out = {}
  for m in ("none", "ws", "full"):
    for n in range(3, 10):
      pairs = read_pairs(f"labelled-{m}-n{n}.pairs.jsonl")
      if pairs is None:
        continue
      items = [(pairs.get(k, (0, 0, ""))[0], y) for k, y in labels.items()]
      t, mm = best_threshold(items)
      cv, lo, hi, ts = cross_validate(items)
      at8 = prf(lambda k: pairs.get(k, (0,))[0] >= 0.8, labels)
      at5 = prf(lambda k: pairs.get(k, (0,))[0] >= 0.5, labels)
      rule = prf(lambda k: pairs.get(k, (0,))[0] >= 0.5 or pairs.get(k, (0, 0))[1] >= 0.8, labels)
      ritems = [pairs.get(k, (0, 0, ""))[:2] + (y,) for k, y in labels.items()]
      rt, rc, rm = best_rule(ritems)
      rcv = cross_validate_rule(ritems)
      out[(m, n)] = (t, mm, cv)
      rc_text = "off" if rc > 1 else f"{rc:.2f}"
      print(f"| {m} | {n} | {f(t)} | {f(mm['p'])} | {f(mm['r'])} | {f(mm['f1'])} | "
            f"{f(cv)} ({f(lo)}–{f(hi)}) | {f(min(ts),2)}–{f(max(ts),2)} | {f(at8['f1'])} | {f(at5['f1'])} | "
            f"{f(rule['f1'])} | J≥{rt:.2f} or C≥{rc_text}: {f(rm['f1'])} | {f(rcv)} |")
  print()
  return out


def norm_table():
  print("### Normalisation (5-grams, 128 permutations, oph)\n")
  print("| normalize | corpus | true pairs J≥0.8 | J≥0.5 | recall @0.8 (min over sweep) | cand/true @0.8 | engine s @0.8 | exact search s | label best t | label F1 (fitted) |")
  print("|---|---|---|---|---|---|---|---|---|---|")
  for m in ("none", "ws", "full"):
    for c, name in (("snn", "SaudiNewsNet"), ("reu", "Reuters")):
      d = load(f"{c}-norm-{m}.json")
      if not d:
        continue
      r8, r5 = run_at(d, 0.8), run_at(d, 0.5)
      rmin = min(x["recall"] for x in d["sweep"])
      lab = d.get("labels", {}).get("best_threshold")
      labs = (f"{f(lab['threshold'])} | {f(lab['metrics']['f1'])}" if lab else "– | –")
      print(f"| {m} | {name} | {intc(r8['true_pairs'])} | {intc(r5['true_pairs'])} | "
            f"{f(r8['recall'],4)} ({f(rmin,4)}) | {f(r8['candidates_per_true_pair'],2)} | "
            f"{f(engine_seconds(r8),2)} | {f(d['truth']['exact_search']['seconds']['total'],1)} | {labs} |")
  print()


def read_truth(name, t):
  pairs = {}
  path = os.path.join(OUT, name)
  if not os.path.exists(path):
    return None
  with open(path) as fh:
    for line in fh:
      if line.startswith("#"):  # The floor line --write-truth adds.
        continue
      a, b, j = line.split("\t")
      j = float(j)
      if j >= t:
        pairs[tuple(sorted((a, b)))] = j
  return pairs


def norm_diff():
  print("### Pairs at J ≥ 0.8 by normalisation (exact search)\n")
  for c in ("snn", "reu"):
    none = read_truth(f"{c}-norm-none.truth.tsv", 0.8)
    ws = read_truth(f"{c}-norm-ws.truth.tsv", 0.8)
    full = read_truth(f"{c}-norm-full.truth.tsv", 0.8)
    if none is None or full is None:
      continue
    none_all = read_truth(f"{c}-norm-none.truth.tsv", 0.0)
    print(f"- {c}: none {len(none):,}, ws {len(ws):,}, full {len(full):,}; "
          f"full∖none {len(set(full) - set(none)):,}, none∖full {len(set(none) - set(full)):,}, "
          f"ws∖none {len(set(ws) - set(none)):,}, full∖ws {len(set(full) - set(ws)):,}")
    gained = sorted(set(full) - set(none), key=lambda k: full[k] - none_all.get(k, 0), reverse=True)
    for k in gained[:8]:
      print(f"  - {k[0]} {k[1]}: J none {none_all.get(k, 0):.3f} → full {full[k]:.3f}")
  print()


def perm_table():
  print("### Permutations and sketch algorithm (normalize full, 5-grams)\n")
  print("Engine seconds are sketch + candidates + verify + cluster on 2 threads of a shared machine.\n")
  print("| algorithm | k | corpus | t | bands × rows | P(t) | candidates | cand/true | recall | sketch s | engine s |")
  print("|---|---|---|---|---|---|---|---|---|---|---|")
  for a in ("oph", "classic"):
    for k in (64, 128, 256):
      for c, name in (("snn", "SNN"), ("reu", "Reuters")):
        d = load(f"{c}-{a}-k{k}.json")
        if not d:
          continue
        for t in (0.4, 0.5, 0.8, 0.9):
          r = run_at(d, t)
          if not r:
            continue
          print(f"| {a} | {k} | {name} | {t} | {r['bands']} × {r['rows']} | "
                f"{f(r['p_candidate_at_threshold'])} | {intc(r['candidates'])} | "
                f"{f(r['candidates_per_true_pair'],2)} | {f(r['recall'],4)} | "
                f"{f(r['seconds']['sketch'],2)} | {f(engine_seconds(r),2)} |")
  print()
  print("Recall over the whole sweep (minimum, and pairs missed / true pairs summed over the sweep):\n")
  print("| algorithm | k | SNN min recall | SNN missed | Reuters min recall | Reuters missed |")
  print("|---|---|---|---|---|---|")
  for a in ("oph", "classic"):
    for k in (64, 128, 256):
      s, r = load(f"snn-{a}-k{k}.json"), load(f"reu-{a}-k{k}.json")
      if not s or not r:
        continue
      def agg(d):
        runs = d["sweep"]
        return (min(x["recall"] for x in runs), sum(x["missed_pairs"] for x in runs),
                sum(x["true_pairs"] for x in runs))
      sm, sx, st = agg(s)
      rm, rx, rt = agg(r)
      print(f"| {a} | {k} | {f(sm,4)} | {sx} / {intc(st)} | {f(rm,4)} | {rx} / {intc(rt)} |")
  print()


def threshold_table(labels):
  d = load("snn-threshold.json")
  if not d:
    return
  print("### Threshold (defaults otherwise): engine vs labels and cost, SaudiNewsNet-dev\n")
  print("| t | bands × rows | P | R | F1 | candidates | cand/true | engine s | recall vs exact |")
  print("|---|---|---|---|---|---|---|---|---|")
  for r in sorted(d["sweep"], key=lambda r: r["threshold"]):
    m = r["labels"]
    print(f"| {r['threshold']:.2f} | {r['bands']} × {r['rows']} | {f(m['precision'])} | {f(m['recall'])} | "
          f"{f(m['f1'])} | {intc(r['candidates'])} | {f(r['candidates_per_true_pair'],1)} | "
          f"{f(engine_seconds(r),2)} | {f(r['recall'],4)} |")
  print()
  pairs = read_pairs("labelled-full-n5.pairs.jsonl")
  if pairs:
    print("Exact Jaccard on a fine grid around the best threshold (sensitivity):\n")
    print("| t | TP | FP | FN | P | R | F1 |")
    print("|---|---|---|---|---|---|---|")
    for i in range(30, 56):
      t = i / 100
      m = prf(lambda k: pairs.get(k, (0,))[0] >= t, labels)
      print(f"| {t:.2f} | {m['tp']} | {m['fp']} | {m['fn']} | {f(m['p'])} | {f(m['r'])} | {f(m['f1'])} |")
    print()


def containment_table(labels):
  print("### Containment linking vs labels (normalize full, 5-grams; whole-corpus runs)\n")
  print("| t | C | pairs listed | of them containment links | labelled TP | FP | FN | P | R | F1 |")
  print("|---|---|---|---|---|---|---|---|---|---|")
  for t in ("0.8", "0.5", "0.4"):
    for c in ("0", "0.7", "0.8", "0.9"):
      pairs = read_pairs(f"snn-t{t}-c{c}.pairs.jsonl")
      if pairs is None:
        continue
      m = prf(lambda k: k in pairs, labels)
      nlink = sum(1 for v in pairs.values() if v[2] == "containment")
      print(f"| {t} | {c if c != '0' else 'off'} | {intc(len(pairs))} | {intc(nlink)} | {m['tp']} | {m['fp']} | "
            f"{m['fn']} | {f(m['p'])} | {f(m['r'])} | {f(m['f1'])} |")
  print()
  # Rules on the labelled pairs' exact scores: J >= t or C >= c.
  pairs = read_pairs("labelled-full-n5.pairs.jsonl")
  if not pairs:
    return
  print("Rules on the labelled pairs' exact scores (full, 5-grams): best \"J ≥ t or C ≥ c\" (fitted), "
        "and containment alone:\n")
  best = []
  for ti in range(30, 101, 1):
    for ci in list(range(50, 101, 1)) + [101]:
      t, c = ti / 100, ci / 100
      m = prf(lambda k: pairs.get(k, (0, 0))[0] >= t or pairs.get(k, (0, 0))[1] >= c, labels)
      best.append((m["f1"], t, c, m))
  best.sort(key=lambda x: -x[0])
  print("| rule | P | R | F1 |")
  print("|---|---|---|---|")
  for f1, t, c, m in best[:5]:
    print(f"| J ≥ {t:.2f} or C ≥ {c:.2f} | {f(m['p'])} | {f(m['r'])} | {f(f1)} |")
  citems = [(pairs.get(k, (0, 0))[1], y) for k, y in labels.items()]
  ct, cm = best_threshold(citems)
  print(f"| C ≥ {ct:.3f} alone | {f(cm['p'])} | {f(cm['r'])} | {f(cm['f1'])} |")
  for t, c in ((0.8, 0.8), (0.8, 0.7), (0.5, 0.8), (0.5, 0.9), (0.4, 0.9), (0.4, 0.8)):
    m = prf(lambda k: pairs.get(k, (0, 0))[0] >= t or pairs.get(k, (0, 0))[1] >= c, labels)
    print(f"| J ≥ {t} or C ≥ {c} (exact) | {f(m['p'])} | {f(m['r'])} | {f(m['f1'])} |")
  print()
  print("Sensitivity of \"J ≥ t or C ≥ c\" (F1, exact scores of the labelled pairs):\n")
  cs = (0.7, 0.75, 0.8, 0.85, 0.9)
  print("| t \\ c | " + " | ".join(str(c) for c in cs) + " |")
  print("|---|" + "---|" * len(cs))
  for t in (0.4, 0.45, 0.48, 0.5, 0.52, 0.55, 0.6):
    row = [prf(lambda k: pairs.get(k, (0, 0))[0] >= t or pairs.get(k, (0, 0))[1] >= c, labels)["f1"]
           for c in cs]
    print(f"| {t} | " + " | ".join(f(x) for x in row) + " |")
  items = [pairs.get(k, (0, 0, ""))[:2] + (y,) for k, y in labels.items()]
  print(f"\nCross-validated F1 of the two-parameter rule (grid t 0.30–0.80 by 0.02, c 0.60–1.00 by 0.05 or off; "
        f"5-fold, 4 repeats): {f(cross_validate_rule(items))}.\n")


def cost_table(labels):
  print("### Cost and cluster shape (whole neardup cluster runs, SaudiNewsNet-dev)\n")
  print("| t | C | linkage | wall s | peak RSS | clusters | documents in clusters | largest 3 | cluster F1 vs labels (P / R) |")
  print("|---|---|---|---|---|---|---|---|---|")
  for t, c in (("0.8", "0"), ("0.8", "0.8"), ("0.5", "0"), ("0.5", "0.8"), ("0.4", "0"), ("0.4", "0.8")):
    for linkage in ("single", "center"):
      stem = os.path.join(OUT, f"cost-t{t}-c{c}-{linkage}")
      if not os.path.exists(stem + ".time"):
        continue
      with open(stem + ".time") as fh:
        wall, _, kb, _ = fh.read().split()
      cluster_of, sizes = {}, []
      with open(stem + ".clusters.jsonl", encoding="utf-8") as fh:
        for line in fh:
          cl = json.loads(line)
          sizes.append(cl["size"])
          for m in cl["members"]:
            cluster_of[m["id"]] = cl["cluster"]
      m = prf(lambda k: k[0] in cluster_of and cluster_of[k[0]] == cluster_of.get(k[1]), labels)
      sizes.sort(reverse=True)
      print(f"| {t} | {c if c != '0' else 'off'} | {linkage} | {wall} | {int(kb) // 1024} MB | {intc(len(sizes))} | "
            f"{intc(sum(sizes))} | {', '.join(map(str, sizes[:3]))} | {f(m['f1'])} ({f(m['p'])} / {f(m['r'])}) |")
  for t in ("0.8", "0.5"):
    for linkage in ("single", "center"):
      path = os.path.join(OUT, f"reu-t{t}-c0.8-{linkage}.clusters.jsonl")
      if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
          sizes = sorted((json.loads(line)["size"] for line in fh), reverse=True)
        print(f"\nReuters, t {t}, containment 0.8, {linkage}: {len(sizes):,} clusters, "
              f"{sum(sizes):,} documents, largest {', '.join(map(str, sizes[:3]))}")
  print()


def errors(labels):
  pairs = read_pairs("labelled-full-n5.pairs.jsonl")
  if not pairs:
    return
  print("### Errors at t = 0.39 (full, 5-grams)\n")
  print("| kind | idA | idB | J | C |")
  print("|---|---|---|---|---|")
  for k, y in sorted(labels.items(), key=lambda kv: -pairs.get(kv[0], (0, 0))[0]):
    j, c = pairs.get(k, (0, 0, ""))[:2]
    if y and j < 0.39:
      print(f"| missed copy | {k[0]} | {k[1]} | {f(j)} | {f(c)} |")
    elif not y and j >= 0.39:
      print(f"| false copy | {k[0]} | {k[1]} | {f(j)} | {f(c)} |")
  print()


def main():
  labels = read_labels()
  ngram_table()
  labels_by_setting_table(labels)
  norm_table()
  norm_diff()
  perm_table()
  threshold_table(labels)
  containment_table(labels)
  cost_table(labels)
  if "--errors" in sys.argv:
    errors(labels)


if __name__ == "__main__":
  main()
