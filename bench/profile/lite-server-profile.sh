#!/usr/bin/env bash
# Where a Milvus Lite 3.x server spends its CPU under milvusdm's H2M and under the pymilvus ORM
# script, writing the same rows into the same server in turn: py-spy samples the server process
# (200 Hz, raw stacks into bench/out/lite-profile/<contender>.txt), and the server's CPU ticks
# come from /proc. Summarise with: .venv/bin/python bench/profile/pyspy_summary.py bench/out/lite-profile/*.txt
#   bash bench/profile/lite-server-profile.sh [ROWS=100000] [PORT=19599]
# py-spy is installed once into bench/.cache/pyspy (PyPI).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-100000}
port=${2:-19599}
out=$root/bench/out/lite-profile
mkdir -p "$out" "$root/bench/.cache"
spy=$root/bench/.cache/pyspy/bin/py-spy
[[ -x $spy ]] || { python3 -m venv "$root/bench/.cache/pyspy" && "$root/bench/.cache/pyspy/bin/pip" install --quiet py-spy; }
h5=$root/bench/.cache/vectors-${rows}x128.h5
[[ -f $h5 ]] || "$root/.venv/bin/python" "$root/packages/testing/python/write_h5.py" --out "$h5" --rows "$rows" --dim 128 >/dev/null
data=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
"$root/.venv/bin/milvus-lite" server --data-dir "$data/db" --host 127.0.0.1 --port "$port" >"$out/server.log" 2>&1 &
server=$!
sleep 6
uri=http://127.0.0.1:$port
printf 'source: {type: hdf5, path: %s}\ntarget: {type: milvus, uri: "%s", collection: bench_a, index: auto, metric: L2}\nrun: {batch_rows: 10000}\n' "$h5" "$uri" >"$data/job.yaml"
ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
for who in orm milvusdm; do
  before=$(ticks)
  "$spy" record -r 200 -f raw -o "$out/$who.txt" -p "$server" >/dev/null 2>&1 &
  spy_pid=$!
  sleep 1
  if [[ $who == orm ]]; then
    "$root/.venv/bin/python" "$root/bench/python/h2m_orm.py" "$uri" "" bench_c "$h5" 2>/dev/null
  else
    node "$root/apps/cli/bin/milvusdm.js" run "$data/job.yaml" --quiet --log-dir "$data/logs"
  fi
  after=$(ticks)
  kill -INT $spy_pid
  wait $spy_pid || true
  echo "$who: server CPU $(((after - before))) ticks (1/100 s)"
done
