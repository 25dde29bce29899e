"""Compares Parquet files (read with pyarrow) with a live Milvus collection (read with pymilvus),
row by row by primary key: float vectors by their float32 bits, scalars exactly, JSON as
documents, dynamic fields from the `$meta` column. Prints one JSON verdict.

    python compare_parquet_milvus.py --uri URI --collection NAME --key pk FILE [FILE ...]
"""
import argparse
import json

import numpy as np
import pyarrow.parquet as pq
from pymilvus import DataType, MilvusClient


def norm(v):
    if isinstance(v, float):
        return ["f", np.float64(v).tobytes().hex()]
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {k: norm(x) for k, x in sorted(v.items())}
    return v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--collection", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    client = MilvusClient(uri=args.uri)
    desc = client.describe_collection(args.collection)
    fields = {f["name"]: f for f in desc["fields"]}
    kinds = {n: DataType(f["type"]).name for n, f in fields.items()}
    vectors = {n for n, k in kinds.items() if k.endswith("VECTOR")}
    jsons = {n for n, k in kinds.items() if k == "JSON"}
    floats = {n for n, k in kinds.items() if k == "FLOAT"}
    parquet = {}
    types = {}
    for path in args.files:
        table = pq.read_table(path)
        types.update({f.name: str(f.type) for f in table.schema})
        for row in table.to_pylist():
            parquet[row[args.key]] = row
    client.load_collection(args.collection)
    stored = {}
    it = client.query_iterator(args.collection, batch_size=1000, output_fields=["*"])
    while True:
        rows = it.next()
        if not rows:
            break
        for r in rows:
            stored[r[args.key]] = r
    it.close()
    diffs = []
    if set(parquet) != set(stored):
        diffs.append({"why": "keys differ", "only_parquet": len(set(parquet) - set(stored)), "only_milvus": len(set(stored) - set(parquet))})
    for key in sorted(set(parquet) & set(stored)):
        p, m = parquet[key], stored[key]
        meta = json.loads(p.pop("$meta")) if "$meta" in p and p["$meta"] is not None else {}
        for name, value in p.items():
            want = m.get(name)
            if name in vectors:
                same = np.asarray(value, dtype="<f4").tobytes() == np.asarray(want, dtype="<f4").tobytes()
            elif name in jsons:
                same = (value is None and want is None) or json.loads(value) == (json.loads(want) if isinstance(want, str) else want)
            elif name in floats:
                same = (value is None and want is None) or np.float32(value).tobytes() == np.float32(want).tobytes()
            else:
                same = norm(value) == norm(list(want) if hasattr(want, "__iter__") and not isinstance(want, (str, dict)) else want)
            if not same:
                diffs.append({"key": str(key), "field": name, "parquet": str(value)[:80], "milvus": str(want)[:80]})
        dynamic = {k: v for k, v in m.items() if k not in fields}
        if norm(dynamic) != norm(meta):
            diffs.append({"key": str(key), "field": "$meta", "parquet": str(meta)[:80], "milvus": str(dynamic)[:80]})
        if len(diffs) > 20:
            break
    print(json.dumps({"ok": not diffs, "parquet": len(parquet), "milvus": len(stored), "types": types, "diffs": diffs[:20]}))


if __name__ == "__main__":
    main()
