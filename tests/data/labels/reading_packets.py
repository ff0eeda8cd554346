#!/usr/bin/env python3
"""Writes the packets of the blind second and third readings of the labelled set.

This records how the readings in saudinewsnet-dev-readings.tsv were collected;
it is not run by the build.

  python3 reading_packets.py CORPUS LABELS OUT_DIR

CORPUS is ../shared/data/saudinewsnet-dev.jsonl.zst (read with `zstd -dc`) and
LABELS the labelled set (only its pairs are used, never its labels). OUT_DIR
receives:

  keys.tsv               KEY, idA, idB: the key each pair is shown under.
  round{B,C}-set{1..4}.txt  the packets; each round holds every pair once,
                         split over four readers, in its own random order.

A packet shows each pair under a random key (P1000..P9999) with the two
articles' titles, sources, dates, lengths and full texts, in a random A/B
orientation. It shows no id, no similarity figure and no earlier label, so a
reader judges from the texts alone, by the rules in reading-rules.md.
"""

import json
import os
import random
import subprocess
import sys

SEED = 20261121
SETS = 4


def read_pairs(path):
  pairs = []
  with open(path, encoding="utf-8") as f:
    for line in f:
      if line.strip() and not line.startswith("#"):
        a, b, _ = line.rstrip("\n").split("\t")
        pairs.append((a, b))
  return pairs


def read_docs(corpus, wanted):
  out = subprocess.run(["zstd", "-dc", corpus], capture_output=True,
                       check=True).stdout
  docs = {}
  for line in out.splitlines():
    d = json.loads(line)
    if d["id"] in wanted:
      docs[d["id"]] = d
  return docs


def render(d, tag):
  return ("[%s] title: %s\n    source: %s | date: %s | %d characters\n%s\n" %
          (tag, d.get("title", ""), d.get("source", ""), d.get("date", ""),
           len(d["text"]), d["text"]))


def main():
  corpus, labels, out_dir = sys.argv[1:4]
  pairs = read_pairs(labels)
  docs = read_docs(corpus, {i for p in pairs for i in p})
  rng = random.Random(SEED)
  rng.shuffle(list(range(len(pairs))))  # Kept: it fixed the keys drawn next.
  codes = rng.sample(range(1000, 10000), len(pairs))
  key = ["P%04d" % c for c in codes]
  os.makedirs(out_dir, exist_ok=True)
  with open(os.path.join(out_dir, "keys.tsv"), "w", encoding="utf-8") as f:
    for i, (a, b) in enumerate(pairs):
      f.write("%s\t%s\t%s\n" % (key[i], a, b))
  for rnd in ("B", "C"):
    order = list(range(len(pairs)))
    rng.shuffle(order)
    for s in range(SETS):
      part = order[s::SETS]
      path = os.path.join(out_dir, "round%s-set%d.txt" % (rnd, s + 1))
      with open(path, "w", encoding="utf-8") as f:
        f.write("%d pairs\n\n" % len(part))
        for i in part:
          a, b = pairs[i]
          if rng.random() < 0.5:
            a, b = b, a
          f.write("=" * 20 + " %s " % key[i] + "=" * 20 + "\n")
          f.write(render(docs[a], "A"))
          f.write("\n")
          f.write(render(docs[b], "B"))
          f.write("\n")


if __name__ == "__main__":
  main()
