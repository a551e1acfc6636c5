#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 60 s each), corpus seeded from the real
# files in ../shared/data and the repository's examples. Not run in CI.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET…]
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). A crash stops that
# target and leaves its input in fuzz/artifacts/TARGET/; keep it as a regression test.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
shared=../../shared/data
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(un_xml ofac_csv ftm_json national_csv detect_any_list stix_bundle screening_input config_file manifest)

seed() { # seed TARGET FILE… : the first 64 KiB of each file
  mkdir -p "corpus/$1"
  local target=$1; shift
  for f in "$@"; do
    [ -f "$f" ] || continue
    head -c 65536 "$f" >"corpus/$target/seed-$(basename "$f")"
  done
}
seed un_xml "$shared"/lists/un/*.xml
seed detect_any_list "$shared"/lists/un/*.xml ../examples/*.csv "$shared"/lists/ofac/sdn_2024-05/sdn.csv
seed national_csv ../examples/*.csv
seed ftm_json $(find "$shared/lists" -name '*.json' -o -name '*.jsonl' 2>/dev/null | head -5)
if [ -d "$shared/lists/ofac/sdn_2024-05" ]; then
  mkdir -p corpus/ofac_csv
  d=$shared/lists/ofac/sdn_2024-05
  { head -c 16384 "$d/sdn.csv"; printf '\xff'; head -c 8192 "$d/alt.csv"; printf '\xff';
    head -c 8192 "$d/add.csv"; printf '\xff'; head -c 8192 "$d/sdn_comments.csv"; } >corpus/ofac_csv/seed-sdn-set
fi
seed stix_bundle $(find "$shared/stix" -name '*.json' 2>/dev/null | head -40)
seed screening_input $(find ../crates -path '*tests*' \( -name '*.jsonl' -o -name '*queries*.csv' \) 2>/dev/null | head -10)
seed config_file $(find .. -maxdepth 3 -name '*.toml' -not -path '*/target/*' | head -10)
seed manifest "$shared"/paxlst/gtas/*.txt "$shared"/paxlst/gtas/*.edi ../crates/manifest/tests/fixtures/*.edi \
  "$shared"/paxlst/gtas-pnrgov/*.edi "$shared"/paxlst/gtas-pnrgov/*.txt

status=0
for target in "${targets[@]}"; do
  echo "== $target: ${seconds}s"
  if ! cargo +nightly fuzz run "$target" "corpus/$target" -- \
      -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 \
      2>"$target.log"; then
    echo "CRASH in $target: see fuzz/$target.log and fuzz/artifacts/$target/" >&2
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$target.log" || true
done
exit $status
