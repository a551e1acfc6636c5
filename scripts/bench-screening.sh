#!/usr/bin/env bash
# Rebuilds the screening benchmark's registers, screens every query set with `vigil screen`,
# scores pairs with `vigil compare`, and prints score.py's figures (docs/SCREENING.md).
#
#   scripts/bench-screening.sh [--sample N] [--threshold T] [--params JSON]
#
# --sample N screens a seeded sample of N queries of each negative set (default: all 25,000).
# Work files go to $WORK (default /tmp/vigil-bench-screening). Needs a release build
# (cargo build --release) and ../shared next to the repository (or $SHARED).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
BENCH="$SHARED/bench/screening"
WORK="${WORK:-/tmp/vigil-bench-screening}"
VIGIL="${VIGIL:-$ROOT/target/release/vigil}"
SAMPLE=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sample) SAMPLE="$2"; shift 2 ;;
    --threshold) EXTRA+=(--threshold "$2"); shift 2 ;;
    --params) EXTRA+=(--params "$2"); shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$VIGIL" ] || { echo "build first: cargo build --release" >&2; exit 1; }
[ -d "$BENCH" ] || { echo "SKIPPED: $BENCH not found" >&2; exit 0; }
mkdir -p "$WORK"
LISTS="$SHARED/data/lists"
OFAC="$LISTS/ofac/sdn_2024-05"

if [ ! -f "$WORK/full.db" ] || [ ! -f "$WORK/full_no_alt.db" ] || [ ! -f "$WORK/latin_only.db" ]; then
  rm -f "$WORK"/*.db "$WORK"/*.db-*
  "$VIGIL" --db "$WORK/full.db" import "$LISTS/un/un_consolidated_2026-02-27.xml" 2>/dev/null
  "$VIGIL" --db "$WORK/full.db" import "$OFAC/sdn.csv" "$OFAC/alt.csv" "$OFAC/add.csv" "$OFAC/sdn_comments.csv" 2>/dev/null
  "$VIGIL" --db "$WORK/full_no_alt.db" import "$LISTS/un/un_consolidated_2026-02-27.xml" 2>/dev/null
  "$VIGIL" --db "$WORK/full_no_alt.db" import "$OFAC/sdn.csv" 2>/dev/null
  "$VIGIL" --db "$WORK/latin_only.db" import "$BENCH/un_latin_only_2026-02-27.xml" 2>/dev/null
fi

# Split the queries by set (negatives optionally sampled with a fixed seed), and the answers to
# the screened ids, since score.py counts a query without a result line as "no alerts".
python3 - "$BENCH" "$WORK" "$SAMPLE" <<'PY'
import json, random, sys
bench, work, sample = sys.argv[1], sys.argv[2], int(sys.argv[3])
sets = {}
for line in open(f"{bench}/queries.jsonl", encoding="utf-8"):
    q = json.loads(line)
    sets.setdefault(q["set"], []).append(line)
ids = set()
for name, lines in sets.items():
    if sample and name.startswith("negatives") and len(lines) > sample:
        lines = random.Random(f"1/{name}").sample(lines, sample)
    with open(f"{work}/q_{name}.jsonl", "w", encoding="utf-8") as f:
        f.writelines(lines)
    ids.update(json.loads(l)["id"] for l in lines)
with open(f"{work}/answers.jsonl", "w", encoding="utf-8") as out:
    for line in open(f"{bench}/answers.jsonl", encoding="utf-8"):
        if json.loads(line)["id"] in ids:
            out.write(line)
PY

: > "$WORK/results.jsonl"
for pair in un_typos:full negatives_global:full negatives_us:full ofac_aliases:full_no_alt cross_script:latin_only; do
  set_name="${pair%%:*}"; register="${pair##*:}"
  "$VIGIL" --db "$WORK/$register.db" screen --input "$WORK/q_$set_name.jsonl" \
    --output "$WORK/r_$set_name.jsonl" ${EXTRA[@]+"${EXTRA[@]}"}
  cat "$WORK/r_$set_name.jsonl" >> "$WORK/results.jsonl"
done
PARAMS=()
for ((i = 0; i < ${#EXTRA[@]}; i++)); do
  if [ "${EXTRA[$i]}" = "--params" ]; then PARAMS=(--params "${EXTRA[$((i + 1))]}"); fi
done
"$VIGIL" compare --input "$BENCH/pairs.jsonl" --output "$WORK/pair_results.jsonl" ${PARAMS[@]+"${PARAMS[@]}"}
python3 "$BENCH/score.py" --answers "$WORK/answers.jsonl" --results "$WORK/results.jsonl" \
  --pairs-answers "$BENCH/pair_answers.jsonl" --pair-results "$WORK/pair_results.jsonl"
