#!/usr/bin/env bash
# Single-name screening over HTTP on loopback: imports the full register (UN 2026-02-27 and
# OFAC SDN 2024-05), starts `vigil serve` (release build), creates an officer's token and
# runs wrk against POST /api/v1/screen. Bounded: loopback only, one run per backend.
#
#   scripts/bench-http.sh sqlite|postgres [connections] [seconds]
#
# VIGIL_BENCH_EXPLAIN=false posts to /api/v1/screen?explain=false (compact answers).
# The load average is printed before and after the run: the machine may be shared.
#
# PostgreSQL: VIGIL_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432), a database
# `vigil_bench` is dropped and created there.
set -euo pipefail
backend=${1:-sqlite}
connections=${2:-32}
seconds=${3:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
lists=${VIGIL_LISTS:-$root/../shared/data/lists}
vigil=${VIGIL_BIN:-$root/target/release/vigil}
port=${VIGIL_BENCH_PORT:-18080}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

# VIGIL_BIN runs another build (an A/B comparison) instead of building this checkout.
[ -n "${VIGIL_BIN:-}" ] || cargo build --release -q -p vigil-cli --manifest-path "$root/Cargo.toml"
case $backend in
  sqlite) db=$work/bench.db ;;
  postgres)
    base=${VIGIL_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}
    psql -q "$base/postgres" -c 'DROP DATABASE IF EXISTS vigil_bench' -c 'CREATE DATABASE vigil_bench'
    db=$base/vigil_bench ;;
  *) echo "usage: $0 sqlite|postgres [connections] [seconds]" >&2; exit 2 ;;
esac

"$vigil" --db "$db" import "$lists/un/un_consolidated_2026-02-27.xml" >/dev/null
"$vigil" --db "$db" import "$lists/ofac/sdn_2024-05" >/dev/null
"$vigil" --db "$db" user add bench --authority KZ --role officer >/dev/null
token=$("$vigil" --db "$db" token create bench)

# The per-token rate limit would measure itself, not the server: lift it for the run.
"$vigil" --db "$db" serve --listen "127.0.0.1:$port" --rate-per-sec 1000000 --burst 1000000 \
  >"$work/serve.out" 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 600); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

cat >"$work/screen.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"schema": "Person", "name": "Abu Bakr al-Baghdadi"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
LUA

url="http://127.0.0.1:$port/api/v1/screen"
if [ "${VIGIL_BENCH_EXPLAIN:-true}" = false ]; then url="$url?explain=false"; fi
echo "== one request"
curl -sS -X POST "$url" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{"schema": "Person", "name": "Abu Bakr al-Baghdadi"}' \
  | head -c 300; echo
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== wrk -t2 -c$connections -d${seconds}s ($backend) $url"
# The load tool shares the two cores with the server: its CPU share is reported with the figures.
server_cpu_before=$(awk '{print $14 + $15}' "/proc/$server/stat")
/usr/bin/time -f "== wrk CPU: %U s user + %S s system over %e s wall (%P of one core)" \
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/screen.lua" "$url"
server_cpu_after=$(awk '{print $14 + $15}' "/proc/$server/stat")
echo "== server CPU: $(( (server_cpu_after - server_cpu_before) / $(getconf CLK_TCK) )) s over ${seconds} s"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== audit entries written"
curl -sS "http://127.0.0.1:$port/metrics" | grep -E '^vigil_(screened|index)' || true
