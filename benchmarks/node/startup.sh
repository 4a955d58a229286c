#!/usr/bin/env bash
# Start-up benchmark: imports N random PDQ signals (default 10 M) into a fresh SQLite node with
# `clearinghouse import` (the bulk path, straight into the store), then times `clearinghouse serve` from launch to
# ready (/status 200: every index loaded). Prints one JSON line per measurement.
#
#   benchmarks/node/startup.sh [N]              (needs python3, curl; ~350 B of disk per signal)
#
# Environment: WORK (scratch directory, default /tmp/ch-startup-bench), PORT (default 5198), KEEP=1 keeps the data.
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${1:-10000000}
WORK=${WORK:-/tmp/ch-startup-bench}
PORT=${PORT:-5198}
URL="http://127.0.0.1:$PORT"

rm -rf "$WORK" && mkdir -p "$WORK"
echo "[startup] publishing the CLI" >&2
dotnet publish src/Clearinghouse.Cli -c Release -o "$WORK/pub" -v q -nologo >/dev/null
CH="$WORK/pub/clearinghouse"

echo "[startup] generating $N signals" >&2
python3 - "$N" "$WORK/signals.txt" <<'PY'
import random, sys
n, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(1)
with open(path, "w") as f:
    for _ in range(n):
        f.write("pdq " + rng.randbytes(32).hex() + "\n")
PY

"$CH" member add admin --data "$WORK/data" >/dev/null
"$CH" bank create bench --category attack-footage --data "$WORK/data" >/dev/null
echo "[startup] importing" >&2
/usr/bin/time -f '%e %M' -o "$WORK/import.time" "$CH" import "$WORK/signals.txt" --bank bench --data "$WORK/data" --json >"$WORK/import.json"
read -r seconds max_kb <"$WORK/import.time"
python3 -c "import json; r=json.load(open('$WORK/import.json')); print('JSON '+json.dumps({'what':'cli_import','signals':r['added'],'seconds':$seconds,'signals_per_s':round(r['added']/$seconds),'max_rss_mb':round($max_kb/1024)}))"
rm -f "$WORK/signals.txt"

echo "[startup] timing serve to ready" >&2
t0=$(date +%s.%N)
"$CH" serve --data "$WORK/data" --urls "$URL" >"$WORK/serve.log" 2>&1 &
NODE_PID=$!
trap 'kill $NODE_PID 2>/dev/null || true' EXIT
until curl -fs "$URL/status" >/dev/null 2>&1; do
  kill -0 "$NODE_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
  sleep 0.05
done
t1=$(date +%s.%N)
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$NODE_PID/status")
db_bytes=$(du -cb "$WORK/data"/clearinghouse.db* | tail -n 1 | cut -f1)
python3 -c "print('JSON {\"what\":\"startup_to_ready\",\"signals\":$N,\"seconds\":%.2f,\"rss_mb\":%d,\"db_mb\":%d}' % ($t1-$t0, $rss_kb/1024, $db_bytes/1048576))"
grep -o 'Matcher ready.*' "$WORK/serve.log" >&2 || true
kill "$NODE_PID"; wait "$NODE_PID" 2>/dev/null || true
trap - EXIT
[ "${KEEP:-0}" = 1 ] || rm -rf "$WORK/data"
