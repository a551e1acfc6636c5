#!/usr/bin/env bash
# Soak and overload of `vigil serve` (release build) on one store: mixed traffic (screening,
# exchange requests, reads, list re-uploads) for SECONDS at RATE requests/s within the per-token
# limits, then 120 s at twice what the limits sustain. Prints the two JSON reports of
# `vigil bench soak` (statuses, p50/p99, server memory over time, load tool CPU share).
#
#   scripts/soak.sh sqlite|postgres [SECONDS=1800] [RATE=400]
set -euo pipefail
backend=${1:-sqlite}
seconds=${2:-1800}
rate=${3:-400}
root=$(cd "$(dirname "$0")/.." && pwd)
vigil=${VIGIL_BIN:-$root/target/release/vigil}
port=${VIGIL_SOAK_PORT:-18090}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
[ -n "${VIGIL_BIN:-}" ] || cargo build --release -q -p vigil-cli --manifest-path "$root/Cargo.toml"
case $backend in
  sqlite) db=$work/soak.db ;;
  postgres)
    base=${VIGIL_SOAK_POSTGRES:-postgres://postgres@127.0.0.1:5432}
    psql -q "$base/postgres" -c 'DROP DATABASE IF EXISTS vigil_soak' -c 'CREATE DATABASE vigil_soak'
    db=$base/vigil_soak ;;
  *) echo "usage: $0 sqlite|postgres [seconds] [rate]" >&2; exit 2 ;;
esac
list=$root/examples/national_banned_organizations.csv
"$vigil" --db "$db" import "$list" >/dev/null
tokens=()
for spec in soak-officer:KZ:officer soak-analyst:KZ:analyst soak-admin:RATS-EC:admin; do
  IFS=: read -r user authority role <<<"$spec"
  "$vigil" --db "$db" user add "$user" --authority "$authority" --role "$role" >/dev/null
  tokens+=("$("$vigil" --db "$db" token create "$user")")
done
# Per-token limit: the officer's 85 % share of RATE fits under it; twice RATE does not.
limit=$(( rate ))
"$vigil" --db "$db" serve --listen "127.0.0.1:$port" --rate-per-sec "$limit" --burst "$limit" \
  >"$work/serve.out" 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 600); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
soak() {
  "$vigil" --db "$db" bench soak --url "http://127.0.0.1:$port" --officer-token "${tokens[0]}" \
    --analyst-token "${tokens[1]}" --admin-token "${tokens[2]}" --list-file "$list" \
    --seconds "$1" --rate "$2" --server-pid "$server" --workers 16
}
echo "== soak: ${seconds}s at ${rate}/s"; soak "$seconds" "$rate"
echo "== overload: 120s at $(( rate * 2 ))/s"; soak 120 $(( rate * 2 ))
kill -0 "$server" && echo "server alive after the overload"
"$vigil" --db "$db" audit verify
