#!/usr/bin/env bash
# Creates the Python environments the demo and the tests use, once; re-runs only when a
# requirements file changes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python3}

make_venv() { # folder requirements-file
  local dir=$root/$1 req=$root/$2
  local stamp=$dir/.requirements.sha256
  local want
  want=$(sha256sum "$req" | cut -d' ' -f1)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then return; fi
  echo "setting up $1 from $2 (a few minutes the first time)"
  rm -rf "$dir"
  "$py" -m venv "$dir"
  # pip warns about the machine's absent local indexes on every package; keep the rest.
  "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$req" 2> >(grep -v "^WARNING: Location" >&2)
  echo "$want" > "$stamp"
}

make_venv .venv tools/python/requirements.txt
# Milvus Lite 2.5.1 and pymilvus 2.5: the server for float16, bfloat16 and sparse vectors.
make_venv .venv-lite25 tools/python/requirements-lite25.txt
# SeaweedFS, the S3-compatible server the storage-s3 tests upload to (a ~150 MB binary).
make_venv .venv-s3 tools/python/requirements-s3.txt
# gcp-storage-emulator, the Google Cloud Storage emulator the storage-gcs tests upload to.
make_venv .venv-gcs tools/python/requirements-gcs.txt
if [[ ${MILVUSDM_SKIP_MILVUS23:-} != 1 ]]; then
  make_venv .venv-milvus23 tools/python/requirements-milvus23.txt
fi
