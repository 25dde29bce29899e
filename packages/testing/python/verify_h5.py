"""Independent check that one HDF5 file holds exactly the rows of others (in any order).

Compares ids and vector bit patterns by id, with h5py. Prints JSON {"expected", "actual", "mismatches", "ok"}.
"""
import argparse
import json

import h5py
import numpy as np


def load(paths, vectors, ids_name, as_float):
    ids, vecs = [], []
    for p in paths:
        with h5py.File(p, "r") as f:
            v = f[vectors]
            if v.dtype.kind == "S":
                # View the fixed-length strings as bytes: numpy's bytes items drop trailing NULs.
                raw = np.asarray(v[()])
                arr = raw.view(np.uint8).reshape(len(raw), v.dtype.itemsize)
            elif as_float and v.dtype.kind == "f":
                arr = np.asarray(v[()]).astype(np.float32)
            else:
                arr = np.asarray(v[()])
            vecs.append(arr)
            ids.append(np.asarray(f[ids_name][()], dtype=np.int64).reshape(-1))
    return np.concatenate(ids), np.concatenate(vecs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--actual", required=True)
    ap.add_argument("--expected", action="append", required=True)
    ap.add_argument("--vectors", default="embeddings")
    ap.add_argument("--ids", default="ids")
    args = ap.parse_args()
    eid, evec = load(args.expected, args.vectors, args.ids, True)
    aid, avec = load([args.actual], "embeddings", "ids", True)
    mismatches = []
    if len(np.unique(aid)) != len(aid):
        mismatches.append({"why": "repeated ids in the output"})
    eo, ao = np.argsort(eid, kind="stable"), np.argsort(aid, kind="stable")
    if len(eid) != len(aid) or not np.array_equal(eid[eo], aid[ao]):
        mismatches.append({"why": "id sets differ", "expected": int(len(eid)), "actual": int(len(aid))})
    else:
        ev, av = evec[eo], avec[ao]
        same = ev.dtype == av.dtype and ev.shape == av.shape and np.array_equal(ev.view(np.uint8), av.view(np.uint8))
        if not same:
            mismatches.append({"why": "vectors differ", "expected_dtype": str(ev.dtype), "actual_dtype": str(av.dtype)})
    print(json.dumps({"expected": int(len(eid)), "actual": int(len(aid)), "mismatches": mismatches, "ok": not mismatches}))


if __name__ == "__main__":
    main()
