"""Prints every root dataset of an HDF5 file as h5py reads it, for unit tests to compare bytes
exactly: {"datasets": {name: {"dtype", "shape", "raw", "int64", "float32", "rows"}}, "attrs"}.

"raw" is the stored bytes (little-endian, as h5py returns them); "int64" / "float32" are the
values converted by numpy (the reference for what a reader must yield from other widths);
"rows" is fixed-length byte strings as uint8 rows, NULs kept. All base64.
"""
import argparse
import base64
import json

import h5py
import numpy as np


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    args = ap.parse_args()
    out = {"datasets": {}, "attrs": {}}
    with h5py.File(args.path, "r") as f:
        for k, v in f.attrs.items():
            out["attrs"][k] = v.decode() if isinstance(v, bytes) else (v.item() if hasattr(v, "item") else str(v))
        for name, d in f.items():
            if not isinstance(d, h5py.Dataset):
                continue
            a = np.asarray(d[()])
            entry = {"dtype": d.dtype.str, "shape": list(d.shape), "raw": b64(a.astype(a.dtype.newbyteorder("<")) if a.dtype.kind in "iuf" else a)}
            if a.dtype.kind in "iu":
                entry["int64"] = b64(a.astype("<i8"))
            if a.dtype.kind == "f":
                entry["float32"] = b64(a.astype("<f4"))
            if a.dtype.kind == "S":
                entry["rows"] = b64(a.view(np.uint8).reshape(len(a), d.dtype.itemsize))
            out["datasets"][name] = entry
    print(json.dumps(out))


if __name__ == "__main__":
    main()
