#!/usr/bin/env bash
# The full kill/resume soak: every channel into Milvus and into HDF5, interrupted with kill -9
# and with Ctrl-C at 20+ seeded moments each, resumed until complete, then compared bit for bit
# with its source; and a partition overwrite killed in both of its phases. CI runs the same test
# files with 2 points and 16k rows per channel (1 point per phase of the partition overwrite, and
# the staged-overwrite kill loop twice).
#   bash scripts/soak.sh [--milvus23] [POINTS] [ROWS] [SEED]     (defaults: 20 points, 100000 rows, 20261130)
# --milvus23 (or MILVUSDM_SOAK_MILVUS23=1) starts Milvus 2.3 too and runs the live-Milvus
# channels with it as the live end (apps/cli/test/resume-milvus23.integration.test.ts) and the
# partition overwrite on it; without it, Milvus 2.3 is not started (Milvus Lite only).
# A failure prints the seed and the kill thresholds; MILVUSDM_KILL_SEED=<seed> replays it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
milvus23="${MILVUSDM_SOAK_MILVUS23:-0}"
if [ "${1:-}" = "--milvus23" ]; then
  milvus23=1
  shift
fi
bash scripts/bootstrap.sh
export MILVUSDM_KILL_POINTS="${1:-20}"
export MILVUSDM_KILL_ROWS="${2:-100000}"
export MILVUSDM_KILL_SEED="${3:-20261130}"
files=(apps/cli/test/resume.integration.test.ts packages/readers/milvus-files/test/resume.integration.test.ts packages/writers/milvus/test/guard.integration.test.ts apps/cli/test/partition-overwrite.integration.test.ts)
if [ "$milvus23" = 1 ]; then
  export MILVUSDM_SKIP_MILVUS23=0 MILVUSDM_KILL_MILVUS23=1
  files+=(apps/cli/test/resume-milvus23.integration.test.ts)
else
  export MILVUSDM_SKIP_MILVUS23="${MILVUSDM_SKIP_MILVUS23:-1}"
fi
echo "soak: ${MILVUSDM_KILL_POINTS} kill points per channel and signal, ${MILVUSDM_KILL_ROWS} rows per channel, seed ${MILVUSDM_KILL_SEED}, Milvus 2.3 $([ "$milvus23" = 1 ] && echo on || echo off)"
pnpm exec vitest run --project integration "${files[@]}"
