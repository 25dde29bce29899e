"""Prints the first N ids of an HDF5 file's `ids` dataset (h5py), as decimal strings: {"ids": [...]}."""
import json
import sys

import h5py

with h5py.File(sys.argv[1], "r") as f:
    print(json.dumps({"ids": [str(int(i)) for i in f["ids"][: int(sys.argv[2])]]}))
