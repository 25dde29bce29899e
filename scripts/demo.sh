#!/usr/bin/env bash
# One command from a fresh clone: set everything up, then migrate the seed's example HDF5 file
# into a local Milvus Lite database and back out to HDF5, and check the round trip bit for bit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/bootstrap.sh
rm -rf demo-output
echo
echo "== 1/3  HDF5 -> Milvus Lite (examples/demo/h2m.yaml)"
npx milvusdm run examples/demo/h2m.yaml --log-dir demo-output/logs
echo
echo "== 2/3  Milvus Lite -> HDF5 (examples/demo/m2h.yaml)"
npx milvusdm run examples/demo/m2h.yaml --log-dir demo-output/logs
echo
echo "== 3/3  check with h5py: the dump against the seed file"
.venv/bin/python packages/testing/python/verify_h5.py \
  --actual demo-output/dump/demo_float/_default.h5 --expected fixtures/seed/float_example.h5 --dtype float32
echo
echo "Milvus Lite data: demo-output/milvus-lite   dump: demo-output/dump   logs: demo-output/logs"
echo "The MilvusDM job that loads the dump again (point dest_host/dest_port at a Milvus server): demo-output/dump/yamls/demo_float/_default.yaml"
