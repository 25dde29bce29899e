"""Independent check that one HDF5 file holds exactly the rows of others (in any order).

Exact, not "close": the output's `embeddings` must have the dtype the test states (`--dtype`,
e.g. float32 or uint8) and its `ids` must be little-endian int64, with no conversion on the
output side; then ids and vector bytes are compared by id. Only the *expected* side is
converted, and only by the conversion milvusdm documents (float16/float64 sources are read as
float32; fixed-length byte strings are binary vectors as uint8 rows). A writer that stored
float64, or ids passed through a JS number, fails here.

Prints JSON {"expected", "actual", "mismatches", "ok"}.
"""
import argparse
import json

import h5py
import numpy as np

INT64 = np.dtype("<i8")


def as_bytes_rows(raw, itemsize):
    # View fixed-length strings as bytes: numpy's bytes items drop trailing NULs.
    return raw.view(np.uint8).reshape(len(raw), itemsize)


def load_expected(paths, vectors, ids_name, dtype, problems):
    ids, vecs = [], []
    for p in paths:
        with h5py.File(p, "r") as f:
            v = f[vectors]
            raw = np.asarray(v[()])
            if v.dtype.kind == "S":
                arr = as_bytes_rows(raw, v.dtype.itemsize)
            else:
                arr = raw
            if arr.dtype != dtype:
                if arr.dtype.kind == "f" and dtype.kind == "f":
                    arr = arr.astype(dtype)  # the documented float16/float64 -> float32 conversion
                elif arr.dtype.kind in "iu" and dtype == np.dtype("uint8") and arr.dtype.itemsize == 1:
                    arr = arr.view(np.uint8)
                else:
                    problems.append({"why": f"{p}: expected vectors are {arr.dtype}, cannot state them as {dtype}"})
            vecs.append(arr)
            raw_ids = np.asarray(f[ids_name][()]).reshape(-1)
            if raw_ids.dtype.kind not in "iu":
                problems.append({"why": f"{p}: ids are {raw_ids.dtype}, not integers"})
            elif raw_ids.dtype.kind == "u" and raw_ids.size and int(raw_ids.max()) > np.iinfo(np.int64).max:
                problems.append({"why": f"{p}: ids above 2^63-1 cannot be expected as int64"})
            ids.append(raw_ids.astype(INT64))
    return np.concatenate(ids), np.concatenate(vecs)


def load_actual(path, dtype, problems):
    with h5py.File(path, "r") as f:
        v, i = f["embeddings"], f["ids"]
        # The stored types themselves, before any numpy conversion.
        if v.dtype != dtype:
            problems.append({"why": "embeddings dtype", "expected": dtype.str, "actual": v.dtype.str})
        if i.dtype != INT64:
            problems.append({"why": "ids dtype", "expected": INT64.str, "actual": i.dtype.str})
        if len(i.shape) != 1:
            problems.append({"why": "ids shape", "actual": list(i.shape)})
        return np.asarray(i[()]).reshape(-1), np.asarray(v[()])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--actual", required=True)
    ap.add_argument("--expected", action="append", required=True)
    ap.add_argument("--dtype", required=True, help="dtype the output's embeddings must have, e.g. float32, uint8")
    ap.add_argument("--vectors", default="embeddings")
    ap.add_argument("--ids", default="ids")
    args = ap.parse_args()
    dtype = np.dtype(args.dtype).newbyteorder("<") if np.dtype(args.dtype).itemsize > 1 else np.dtype(args.dtype)
    mismatches = []
    eid, evec = load_expected(args.expected, args.vectors, args.ids, dtype, mismatches)
    aid, avec = load_actual(args.actual, dtype, mismatches)
    if len(np.unique(aid)) != len(aid):
        mismatches.append({"why": "repeated ids in the output"})
    eo, ao = np.argsort(eid, kind="stable"), np.argsort(aid, kind="stable")
    if len(eid) != len(aid) or not np.array_equal(eid[eo].astype(INT64), aid[ao].astype(INT64)):
        mismatches.append({"why": "id sets differ", "expected": int(len(eid)), "actual": int(len(aid))})
    else:
        ev, av = evec[eo], avec[ao]
        if ev.shape != av.shape:
            mismatches.append({"why": "vector shapes differ", "expected": list(ev.shape), "actual": list(av.shape)})
        elif ev.dtype.itemsize != av.dtype.itemsize or not np.array_equal(np.ascontiguousarray(ev).view(np.uint8), np.ascontiguousarray(av).view(np.uint8)):
            rows = [i for i in range(len(ev)) if ev[i].tobytes() != av[i].tobytes()][:5]
            mismatches.append({"why": "vector bytes differ", "first_ids": [str(eid[eo][r]) for r in rows]})
    print(json.dumps({"expected": int(len(eid)), "actual": int(len(aid)), "mismatches": mismatches, "ok": not mismatches}))


if __name__ == "__main__":
    main()
