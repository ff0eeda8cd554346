#!/usr/bin/env bash
# The scale benchmark (docs/benchmarks.md): generates news-size corpora with
# planted copies and runs `neardup cluster` on each, at the defaults and at
# --threshold 0.8 --containment 0, printing a Markdown table of wall time,
# peak RSS, band collisions and candidates (what the sketch screen kept, to
# be verified exactly) per document, and recall of the planted pairs.
#
#   bench/scale.sh [SIZE...]          # default sizes: 10000 100000
#   NEARDUP_BUILD=build/release NEARDUP_SCALE_DIR=/var/tmp/scale bench/scale.sh 1000000
#
# Corpora are generated once into $NEARDUP_SCALE_DIR (default
# /var/tmp/neardup-scale; 1 M documents take 3.3 GB) and reused. Needs a
# Release build with benchmarks (tools/test.sh makes one) and Debian's
# /usr/bin/python3 and GNU time (package `time`).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${NEARDUP_BUILD:-$root/build/release}
dir=${NEARDUP_SCALE_DIR:-/var/tmp/neardup-scale}
threads=${NEARDUP_THREADS:-2}
sizes=("$@")
((${#sizes[@]})) || sizes=(10000 100000)
neardup=$build/tools/neardup
generate=$build/bench/neardup_generate_news
for tool in "$neardup" "$generate" /usr/bin/time; do
  [[ -x $tool ]] || { echo "scale.sh: $tool is missing (build first)" >&2; exit 2; }
done
mkdir -p "$dir"

echo "| documents | input | settings | wall | peak RSS | RSS / input | band collisions / doc | candidates / doc | recall: J ≥ t | recall: containment only |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  corpus=$dir/news-$n.jsonl
  if [[ ! -s $corpus.truth.tsv ]]; then
    "$generate" --docs "$n" --out "$corpus" 2>/dev/null
  fi
  bytes=$(stat -c %s "$corpus")
  for settings in "defaults" "--threshold 0.8 --containment 0"; do
    args=()
    threshold=0.5
    containment=0.8
    if [[ $settings != defaults ]]; then
      read -r -a args <<<"$settings"
      threshold=0.8
      containment=0
    fi
    log=$dir/run.log
    /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$neardup" cluster "$corpus" \
      --threads "$threads" "${args[@]}" --pairs "$dir/pairs.jsonl" \
      >/dev/null 2>"$log"
    read -r wall rss_kb <"$dir/time.txt"
    candidates=$(grep -o '[0-9,]* candidate pairs' "$log" | tr -d ',' | cut -d' ' -f1)
    collisions=$(grep -o 'from [0-9,]* band collisions' "$log" | tr -d ',' | cut -d' ' -f2)
    shared=$(grep -o '[0-9,]* document pairs share a passage' "$log" | tr -d ',' | cut -d' ' -f1 || true)
    recall=$(/usr/bin/python3 "$root/bench/scale/recall.py" "$corpus.truth.tsv" \
      "$dir/pairs.jsonl" --threshold "$threshold" --containment "$containment")
    /usr/bin/python3 - "$n" "$bytes" "$settings" "$wall" "$rss_kb" \
      "$candidates" "${shared:-0}" "$recall" "${collisions:-0}" <<'PY'
import json, sys
n, size, settings, wall, rss_kb, cand, shared, recall, collisions = sys.argv[1:]
n, size, rss = int(n), int(size), int(rss_kb) * 1024
r = json.loads(recall)
per_doc = int(cand) / n
extra = f" (+{int(shared) / n:.2f} passage)" if int(shared) else ""
def recall(rule):
    part = r[rule]
    if not part["expected"]:
        return "-"
    return f"{part['recall']:.4f} ({part['found']:,} / {part['expected']:,})"
print(f"| {n:,} | {size / 1e6:,.0f} MB | {settings} | {float(wall):.1f} s | "
      f"{rss / 1e6:,.0f} MB | {rss / size:.2f} | {int(collisions) / n:.1f} | "
      f"{per_doc:.1f}{extra} | "
      f"{recall('jaccard')} | {recall('containment')} |")
PY
  done
done
