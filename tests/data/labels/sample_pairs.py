#!/usr/bin/env python3
"""Draws the candidate pairs that were labelled in saudinewsnet-dev-labels.tsv.

This records how the labelled set was sampled; it is not run by the build.

Inputs:
  CORPUS  ../shared/data/saudinewsnet-dev.jsonl.zst (read with `zstd -dc`).
  PAIRS   every pair with full-normalisation Jaccard >= 0.2, as written by
            neardup cluster CORPUS --threshold 0.2 --pairs PAIRS --clusters /dev/null
          (defaults: full normalisation, 5-gram shingles, 128 permutations,
          21 bands x 1 row, P(candidate | J = 0.2) = 0.991).

Output (stdout): idA, idB, jaccard, containment, stratum, tab-separated.

Strata:
  b2 .. b9  pairs from PAIRS with 0.2 <= J < 0.3, ..., 0.9 <= J <= 1.0,
            QUOTA[b] of each, uniformly at random (seed SEED) within the band;
            a document may appear in at most two sampled pairs so that one
            big cluster of templated items cannot fill a band.
  hn        hard negatives: pairs published on the same calendar day whose
            titles share at least three words of 3+ letters and 40% of their
            title words, but whose text Jaccard is in [0.03, 0.2).  Their
            Jaccard is computed here with a Python approximation of the full
            normalisation (NFKC casefold, Arabic diacritics/tatweel removed,
            alef/yaa/taa-marbuta and digit folding, quote and comma variants
            unified, white space collapsed); tests/labels_test.cc recomputes
            every pair exactly with the library.
"""

import collections
import json
import random
import re
import subprocess
import sys
import unicodedata

SEED = 20150721
QUOTA = {2: 35, 3: 40, 4: 45, 5: 45, 6: 45, 7: 40, 8: 35, 9: 35}
HARD_NEGATIVES = 15
MAX_PAIRS_PER_DOC = 2

_DIACRITICS = re.compile('[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]')
_FOLD = str.maketrans({
    'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ى': 'ي', 'ة': 'ه',
    '«': '"', '»': '"', '“': '"', '”': '"', '،': ',', '؛': ';', '؟': '?',
})
_DIGITS = {ord(c): str(i) for i, c in enumerate('٠١٢٣٤٥٦٧٨٩')}
_DIGITS.update({ord(c): str(i) for i, c in enumerate('۰۱۲۳۴۵۶۷۸۹')})


def normalize(text):
    text = unicodedata.normalize('NFKC', text).casefold()
    text = _DIACRITICS.sub('', text).translate(_FOLD).translate(_DIGITS)
    return re.sub(r'\s+', ' ', text).lstrip()


def shingles(text, n=5):
    text = normalize(text)
    if len(text) < n:
        return {text} if text else set()
    return {text[i:i + n] for i in range(len(text) - n + 1)}


def similarity(a, b):
    inter = len(a & b)
    union = len(a | b)
    jaccard = inter / union if union else 1.0
    containment = inter / min(len(a), len(b)) if a and b else 1.0
    return jaccard, containment


def title_words(title):
    return {w for w in normalize(title).split() if len(w) > 2}


def main(corpus_path, pairs_path):
    docs = {}
    raw = subprocess.run(['zstd', '-dc', corpus_path], check=True,
                         capture_output=True).stdout.decode('utf-8')
    for line in raw.splitlines():
        if line.strip():
            record = json.loads(line)
            docs[record['id']] = record

    bands = collections.defaultdict(list)
    known = set()
    with open(pairs_path, encoding='utf-8') as f:
        for line in f:
            p = json.loads(line)
            a, b = sorted((p['a'], p['b']))
            known.add((a, b))
            band = min(int(p['jaccard'] * 10), 9)
            bands[band].append((a, b, p['jaccard'], p['containment']))

    rng = random.Random(SEED)
    used = collections.Counter()
    out = []
    for band in sorted(QUOTA):
        candidates = sorted(bands[band])
        rng.shuffle(candidates)
        taken = 0
        for a, b, j, c in candidates:
            if taken == QUOTA[band]:
                break
            if used[a] >= MAX_PAIRS_PER_DOC or used[b] >= MAX_PAIRS_PER_DOC:
                continue
            used[a] += 1
            used[b] += 1
            taken += 1
            out.append((a, b, j, c, 'b%d' % band))

    by_day = collections.defaultdict(list)
    for d in docs.values():
        by_day[d['date'][:10]].append(d['id'])
    candidates = []
    for day in sorted(by_day):
        ids = sorted(by_day[day])
        words = {i: title_words(docs[i]['title']) for i in ids}
        postings = collections.defaultdict(list)
        for i in ids:
            for w in words[i]:
                postings[w].append(i)
        for i in ids:
            shared = collections.Counter()
            for w in words[i]:
                if len(postings[w]) > 60:  # Too common to mean a topic.
                    continue
                for k in postings[w]:
                    if k > i:
                        shared[k] += 1
            for k, n in shared.items():
                if (n >= 3 and n / len(words[i] | words[k]) >= 0.4 and
                        (i, k) not in known):
                    candidates.append((i, k))
    candidates.sort()
    rng.shuffle(candidates)
    taken = 0
    for a, b in candidates:
        if taken == HARD_NEGATIVES:
            break
        if used[a] >= MAX_PAIRS_PER_DOC or used[b] >= MAX_PAIRS_PER_DOC:
            continue
        j, c = similarity(shingles(docs[a]['text']), shingles(docs[b]['text']))
        if j >= 0.2 or j < 0.03:
            continue
        used[a] += 1
        used[b] += 1
        taken += 1
        out.append((a, b, j, c, 'hn'))

    for row in out:
        sys.stdout.write('%s\t%s\t%.4f\t%.4f\t%s\n' % row)


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: sample_pairs.py CORPUS.jsonl.zst PAIRS.jsonl')
    main(sys.argv[1], sys.argv[2])
