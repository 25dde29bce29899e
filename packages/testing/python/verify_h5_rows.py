"""Reads an HDF5 file in milvusdm's extended layout with h5py alone — following the layout
table of packages/writers/hdf5/README.md, not milvusdm's code — and compares every row with the
rows dump_collection_rows.py wrote from pymilvus: every field, nulls, dynamic keys, floats by
bit pattern. Also checks the schema attribute against the collection description given.
Prints JSON {"rows", "expected", "differences", "ok"}."""
import argparse
import json

import h5py
import numpy as np

from dump_collection_rows import norm


def base_name(field, pk, emb):
    if field["name"] == pk:
        return "ids"
    if field["name"] == emb:
        return "embeddings"
    if field["name"] in ("ids", "embeddings"):
        return field["name"] + ".field"
    return field["name"]


def split(f, base):
    """Rows of a field stored as `<base>.end` offsets into element datasets."""
    end = f[base + ".end"][:]
    starts = np.concatenate([[0], end[:-1]]).astype(np.int64)
    return list(zip(starts, end))


def py_scalar(kind, x):
    if kind == "bool":
        return bool(x)
    if kind in ("int8", "int16", "int32", "int64"):
        return int(x)
    if kind == "float":
        return float(np.float32(x))
    if kind == "double":
        return float(x)
    return x


def column(f, field, base, n):
    t = field["type"]
    if t in ("varchar", "json"):
        values = list(f[base].asstr()[:])
        if t == "json":
            values = [json.loads(v) if v != "" else None for v in values]
    elif t in ("bool", "int8", "int16", "int32", "int64", "float", "double"):
        values = [py_scalar(t, x) for x in f[base][:]]
    elif t == "float_vector":
        values = [[float(x) for x in row] for row in f[base][:].astype(np.float32)]
    elif t in ("binary_vector", "float16_vector", "bfloat16_vector"):
        # pymilvus returns these as a one-element list of the row's bytes.
        values = [[row.tobytes()] for row in f[base][:]]
    elif t == "sparse_float_vector":
        idx, val = f[base + ".indices"][:], f[base + ".values"][:]
        values = [{int(i): float(v) for i, v in zip(idx[s:e], val[s:e])} for s, e in split(f, base)]
    elif t == "array":
        el = field["elementType"]
        flat = f[base + ".values"]
        flat = list(flat.asstr()[:]) if el == "varchar" else flat[:]
        values = [[py_scalar(el, x) for x in flat[s:e]] for s, e in split(f, base)]
    else:
        raise SystemExit(f"field {field['name']}: type {t} not handled")
    if len(values) != n:
        raise SystemExit(f"dataset {base}: {len(values)} rows, expected {n}")
    if field.get("nullable"):
        valid = f[base + ".valid"][:]
        values = [v if ok else None for v, ok in zip(values, valid)]
    return values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", required=True)
    ap.add_argument("--rows", required=True, help="the JSON dump_collection_rows.py wrote")
    args = ap.parse_args()
    with open(args.rows) as fh:
        expected = json.load(fh)
    with h5py.File(args.file, "r") as f:
        schema = json.loads(f.attrs["milvusdm_schema"])
        fields = schema["fields"]
        pk = next(x["name"] for x in fields if x.get("isPrimaryKey"))
        emb = next((x["name"] for x in fields if x["type"] in ("float_vector", "binary_vector")), None)
        n = f["ids"].shape[0]
        cols = {x["name"]: column(f, x, base_name(x, pk, emb), n) for x in fields if not x.get("autoId")}
        dynamic = [json.loads(v) for v in f["$meta"].asstr()[:]] if schema.get("enableDynamicField") else [{}] * n
    got = {}
    for i in range(n):
        row = {name: norm(values[i]) for name, values in cols.items()}
        for k, v in dynamic[i].items():
            row[k] = norm(v)
        got[json.dumps(row[pk])] = row
    diffs = []
    for k in sorted(set(got) | set(expected)):
        a, b = expected.get(k), got.get(k)
        if a is None or b is None:
            diffs.append({"pk": k, "why": "missing in " + ("pymilvus" if a is None else "the file")})
        elif a != b:
            keys = sorted(x for x in set(a) | set(b) if a.get(x) != b.get(x))
            diffs.append({"pk": k, "fields": keys, "pymilvus": {x: a.get(x) for x in keys}, "file": {x: b.get(x) for x in keys}})
        if len(diffs) >= 5:
            break
    print(json.dumps({"rows": len(got), "expected": len(expected), "differences": diffs, "ok": not diffs and len(got) == len(expected)}))


if __name__ == "__main__":
    main()
