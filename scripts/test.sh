#!/usr/bin/env bash
# Sets everything up (idempotent), then runs every test: unit and integration, against real
# Milvus servers the test harness starts and stops itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# .ci/run sets up first itself (and says so), to run its package checks beside the tests.
[[ ${MILVUSDM_SET_UP:-} == 1 ]] || bash scripts/bootstrap.sh
pnpm exec vitest run "$@"
