"""Overwrites rows of an HDF5 file's vector dataset in place (h5py, mode r+): a source another
program rewrites while a run reads it. Prints {"ok": true, "rows": N}."""
import argparse
import json

import h5py

parser = argparse.ArgumentParser()
parser.add_argument("--file", required=True)
parser.add_argument("--dataset", default="embeddings")
parser.add_argument("--start", type=int, required=True)
parser.add_argument("--stop", type=int, required=True)
parser.add_argument("--value", type=float, default=0.0)
args = parser.parse_args()

with h5py.File(args.file, "r+") as f:
    f[args.dataset][args.start : args.stop] = args.value
print(json.dumps({"ok": True, "rows": args.stop - args.start}))
