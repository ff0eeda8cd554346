#!/usr/bin/python3
"""Recall of planted pairs: which pairs of a generated corpus's truth file
(neardup_generate_news) that reach a threshold appear in `neardup cluster
--pairs` output.

  recall.py TRUTH.tsv PAIRS.jsonl --threshold 0.5 [--containment 0.8]

A planted pair counts as expected when its exact Jaccard is at least the
threshold, or (with --containment above 0) its containment is at least that.
Prints one JSON line: expected, found, recall, the same for the pairs that
reach the threshold by Jaccard ("jaccard") and by containment alone
("containment"), and the misses by copy kind.
"""
import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("truth")
    parser.add_argument("pairs")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--containment", type=float, default=0.0)
    args = parser.parse_args()

    reported = set()
    with open(args.pairs, encoding="utf-8") as f:
        for line in f:
            pair = json.loads(line)
            a, b = pair["a"], pair["b"]
            reported.add((a, b) if a < b else (b, a))

    expected = found = 0
    by_rule = {"jaccard": [0, 0], "containment": [0, 0]}
    misses = {}
    with open(args.truth, encoding="utf-8") as f:
        for line in f:
            a, b, jaccard, containment, kind = line.rstrip("\n").split("\t")
            jaccard, containment = float(jaccard), float(containment)
            wanted = jaccard >= args.threshold or (
                args.containment > 0 and containment >= args.containment)
            if not wanted:
                continue
            expected += 1
            rule = by_rule["jaccard" if jaccard >= args.threshold else
                           "containment"]
            rule[0] += 1
            key = (a, b) if a < b else (b, a)
            if key in reported:
                found += 1
                rule[1] += 1
            else:
                misses[kind] = misses.get(kind, 0) + 1
    recall = found / expected if expected else 1.0
    result = {"expected": expected, "found": found,
              "recall": round(recall, 5)}
    for rule, (wanted, got) in by_rule.items():
        result[rule] = {"expected": wanted, "found": got,
                        "recall": round(got / wanted, 5) if wanted else 1.0}
    result["misses"] = misses
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
