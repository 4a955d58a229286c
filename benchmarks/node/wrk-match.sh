#!/usr/bin/env bash
# Node benchmark: seeds N random PDQ signals (default 1 M) into a fresh SQLite node through the bulk import route,
# measures the import rate and the start-up time to ready, then runs wrk against the match-by-hash routes (HMA's
# /m/raw_lookup and the own /api/v1/match) with distinct random queries, and against /status/live as the same-session
# baseline of a trivial endpoint. Prints one JSON line per measurement.
#
#   benchmarks/node/wrk-match.sh [N] [DURATION_S]       (needs wrk: apt-get install -y wrk; python3)
#
# Environment: WORK (scratch directory, default /tmp/ch-node-bench), CONNECTIONS (default 64), THREADS (wrk
# threads, default 2), PORT (default 5199), GC (server or workstation, default server), KEEP=1 keeps the data.
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${1:-1000000}
DURATION=${2:-20}
WORK=${WORK:-/tmp/ch-node-bench}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-5199}
GC=${GC:-server}
URL="http://127.0.0.1:$PORT"
HERE=benchmarks/node

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
rm -rf "$WORK" && mkdir -p "$WORK"
echo "[bench] publishing the CLI" >&2
dotnet publish src/Clearinghouse.Cli -c Release -o "$WORK/pub" -v q -nologo >/dev/null

echo "[bench] generating $N signals and 20000 queries" >&2
python3 - "$N" "$WORK" <<'PY'
import random, sys
n, work = int(sys.argv[1]), sys.argv[2]
rng = random.Random(1)
with open(f"{work}/signals.txt", "w") as f:
    for _ in range(n):
        f.write("pdq " + rng.randbytes(32).hex() + "\n")
with open(f"{work}/queries.txt", "w") as f:          # random: (almost surely) nothing within 31
    for _ in range(20000):
        f.write(rng.randbytes(32).hex() + "\n")
rng2 = random.Random(1)
stored = [rng2.randbytes(32) for _ in range(min(n, 20000))]
with open(f"{work}/hits.txt", "w") as f:             # stored hashes with 8 bits flipped: one match each
    for h in stored:
        b = bytearray(h)
        for bit in rng.sample(range(256), 8):
            b[bit // 8] ^= 0x80 >> (bit % 8)
        f.write(b.hex() + "\n")
with open(f"{work}/md5.txt", "w") as f:
    for _ in range(20000):
        f.write(rng.randbytes(16).hex() + "\n")
PY

export DOTNET_gcServer=$([ "$GC" = server ] && echo 1 || echo 0)
start_node() {
  "$WORK/pub/clearinghouse" serve --data "$WORK/data" --urls "$URL" --rate-limit 0 --no-match-records >"$WORK/serve.log" 2>&1 &
  NODE_PID=$!
}
stop_node() { kill "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; }
trap stop_node EXIT
wait_ready() {
  until curl -fs "$URL/status" >/dev/null 2>&1; do
    kill -0 "$NODE_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
    sleep 0.05
  done
}
now() { date +%s.%N; }

start_node
wait_ready
KEY=$(grep -o 'chk_[A-Za-z0-9_-]*' "$WORK/serve.log" | head -n 1)
AUTH="Authorization: Bearer $KEY"
curl -fs -H "$AUTH" -H 'Content-Type: application/json' -d '{"name":"bench","category":"attack-footage"}' "$URL/api/v1/banks" >/dev/null

echo "[bench] importing $N signals through POST /api/v1/banks/bench/signals/import" >&2
t0=$(now)
curl -fs -H "$AUTH" -H 'Content-Type: text/plain' --data-binary @"$WORK/signals.txt" "$URL/api/v1/banks/bench/signals/import" >"$WORK/import.json"
t1=$(now)
python3 -c "import json,sys; r=json.load(open('$WORK/import.json')); t=$t1-$t0; print('JSON '+json.dumps({'what':'bulk_import_http','signals':r['added'],'seconds':round(t,2),'signals_per_s':round(r['added']/t)}))"
until [ "$(curl -fs -H "$AUTH" "$URL/m/index/status?signal_type=pdq" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pdq"]["size"])')" -ge "$N" ]; do sleep 0.2; done
stop_node

echo "[bench] restarting to time start-up to ready" >&2
t0=$(now)
start_node
wait_ready
t1=$(now)
python3 -c "print('JSON {\"what\":\"startup_to_ready\",\"signals\":$N,\"seconds\":%.2f}' % ($t1-$t0))"
grep -o 'Matcher ready.*' "$WORK/serve.log" >&2 || true

run_wrk() { # name path_template queries_file
  echo "[bench] wrk $1 for ${DURATION}s, $CONNECTIONS connections, $THREADS threads" >&2
  # Warm-up (JIT, caches), then the measured run.
  PATH_TEMPLATE="$2" QUERIES="$3" API_KEY="$KEY" wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s "$HERE/queries.lua" "$URL" >/dev/null
  PATH_TEMPLATE="$2" QUERIES="$3" API_KEY="$KEY" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$HERE/queries.lua" "$URL" >"$WORK/wrk-$1.txt"
  sed -n 's/^JSON {/JSON {"what":"'"$1"'","signals":'"$N"',"connections":'"$CONNECTIONS"',/p' "$WORK/wrk-$1.txt"
}
run_wrk trivial_status_live "/status/live?x=%s" "$WORK/queries.txt"
run_wrk hma_raw_lookup_pdq_random "/m/raw_lookup?signal_type=pdq&signal=%s" "$WORK/queries.txt"
run_wrk own_match_pdq_random "/api/v1/match?signal_type=pdq&value=%s" "$WORK/queries.txt"
run_wrk hma_raw_lookup_pdq_hits "/m/raw_lookup?signal_type=pdq&signal=%s" "$WORK/hits.txt"
run_wrk own_match_md5_random "/api/v1/match?signal_type=md5&value=%s" "$WORK/md5.txt"
stop_node
trap - EXIT
[ "${KEEP:-0}" = 1 ] || rm -rf "$WORK/data" "$WORK/signals.txt"
