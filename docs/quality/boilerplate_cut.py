#!/usr/bin/env python3
"""Exploratory check for docs/quality.md ("Errors"): does ignoring boilerplate
shingles separate templated items from edited copies?

    python3 docs/quality/boilerplate_cut.py CORPUS.jsonl.zst LABELS.tsv

Shingles are 5 code points of white-space-normalised text (close to
`--normalize ws --ngram 5`; Python's own string hash, so not the engine's).
For each cut-off D, shingles found in more than D documents of the corpus are
dropped before the Jaccard and containment of every labelled pair are
computed, and the best F1 of "copy when J >= t" and of "J >= t or C >= c" is
printed. Both are fitted on the labels they are scored on, so they are
optimistic. Not part of the engine.
"""
import collections
import json
import re
import subprocess
import sys

N = 5
CUTS = (None, 200, 100, 50, 30, 20, 10)
WHITE_SPACE = re.compile(r"\s+")


def shingles(text):
  text = WHITE_SPACE.sub(" ", text).lstrip()
  if len(text) <= N:
    return {hash(text)}
  return {hash(text[i:i + N]) for i in range(len(text) - N + 1)}


def f1(tp, fp, fn):
  p = tp / (tp + fp) if tp + fp else 1.0
  r = tp / (tp + fn) if tp + fn else 1.0
  return (2 * p * r / (p + r) if p + r else 0.0), p, r


def main():
  corpus, labels_path = sys.argv[1:3]
  labels = {}
  with open(labels_path, encoding="utf-8") as fh:
    for line in fh:
      if line.strip() and not line.startswith("#"):
        a, b, label = line.rstrip("\n").split("\t")
        labels[(a, b)] = label == "copy"
  wanted = {x for pair in labels for x in pair}
  positives = sum(labels.values())

  # Document frequency of every shingle; only the labelled documents' sets
  # are kept, so memory stays small.
  df = collections.Counter()
  sets = {}
  proc = subprocess.Popen(["zstd", "-dc", corpus], stdout=subprocess.PIPE)
  for line in proc.stdout:
    doc = json.loads(line)
    s = shingles(doc["text"])
    df.update(s)
    if doc["id"] in wanted:
      sets[doc["id"]] = s
  proc.wait()

  print("| shingles kept (df <= D) | best t | P | R | F1 | best J-or-C rule | F1 |")
  print("|---|---|---|---|---|---|---|")
  for cut in CUTS:
    scores = []
    for (a, b), is_copy in labels.items():
      x = {h for h in sets[a] if cut is None or df[h] <= cut}
      y = {h for h in sets[b] if cut is None or df[h] <= cut}
      inter = len(x & y)
      j = inter / len(x | y) if x | y else 0.0
      c = inter / min(len(x), len(y)) if x and y else 0.0
      scores.append((j, c, is_copy))
    best = (-1.0,)
    for t in sorted({j for j, _, _ in scores}):
      tp = sum(1 for j, _, y in scores if y and j >= t)
      fp = sum(1 for j, _, y in scores if not y and j >= t)
      best = max(best, f1(tp, fp, positives - tp) + (t,))
    rule = (-1.0,)
    for ti in range(5, 80):
      for ci in range(30, 102, 2):
        t, c = ti / 100, ci / 100
        hit = [(y, j >= t or cc >= c) for j, cc, y in scores]
        tp = sum(1 for y, h in hit if y and h)
        fp = sum(1 for y, h in hit if not y and h)
        rule = max(rule, (f1(tp, fp, positives - tp)[0], t, c))
    name = "all" if cut is None else str(cut)
    print(f"| {name} | {best[3]:.3f} | {best[1]:.3f} | {best[2]:.3f} | {best[0]:.3f} | "
          f"J >= {rule[1]:.2f} or C >= {rule[2]:.2f} | {rule[0]:.3f} |")


if __name__ == "__main__":
  main()
