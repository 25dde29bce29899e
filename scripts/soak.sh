#!/usr/bin/env bash
# The full kill/resume soak: every channel into Milvus and into HDF5, interrupted with kill -9
# and with Ctrl-C at 20+ seeded moments each, resumed until complete, then compared bit for bit
# with its source. CI runs the same test file with 2 points and 16k rows per channel (and the staged-overwrite kill loop 3 times).
#   bash scripts/soak.sh [POINTS] [ROWS] [SEED]     (defaults: 20 points, 100000 rows, 20261130)
# A failure prints the seed and the kill thresholds; MILVUSDM_KILL_SEED=<seed> replays it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/bootstrap.sh
export MILVUSDM_KILL_POINTS="${1:-20}"
export MILVUSDM_KILL_ROWS="${2:-100000}"
export MILVUSDM_KILL_SEED="${3:-20261130}"
echo "soak: ${MILVUSDM_KILL_POINTS} kill points per channel and signal, ${MILVUSDM_KILL_ROWS} rows per channel, seed ${MILVUSDM_KILL_SEED}"
MILVUSDM_SKIP_MILVUS23="${MILVUSDM_SKIP_MILVUS23:-1}" pnpm exec vitest run --project integration apps/cli/test/resume.integration.test.ts packages/readers/milvus-files/test/resume.integration.test.ts packages/writers/milvus/test/guard.integration.test.ts
