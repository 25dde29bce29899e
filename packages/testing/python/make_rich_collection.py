"""Builds a collection with many field types (varchar key, scalars, JSON, arrays, nullable,
dynamic fields) through pymilvus, inserted in shuffled key order. Prints JSON {"rows"}."""
import argparse
import json

import numpy as np
from pymilvus import DataType, MilvusClient


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--collection", required=True)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--dim", type=int, default=8)
    args = ap.parse_args()
    rng = np.random.default_rng(11)
    client = MilvusClient(uri=args.uri, token=args.token)
    schema = client.create_schema(auto_id=False, enable_dynamic_field=True)
    schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=64)
    schema.add_field("embedding", DataType.FLOAT_VECTOR, dim=args.dim)
    schema.add_field("count", DataType.INT32)
    schema.add_field("big", DataType.INT64)
    schema.add_field("score", DataType.DOUBLE)
    schema.add_field("ratio", DataType.FLOAT)
    schema.add_field("flag", DataType.BOOL)
    schema.add_field("title", DataType.VARCHAR, max_length=200)
    schema.add_field("meta", DataType.JSON)
    schema.add_field("tags", DataType.ARRAY, element_type=DataType.INT64, max_capacity=8)
    schema.add_field("maybe", DataType.INT16, nullable=True)
    index = client.prepare_index_params()
    index.add_index("embedding", index_type="AUTOINDEX", metric_type="IP")
    client.create_collection(args.collection, schema=schema, index_params=index)
    order = rng.permutation(args.rows)
    rows = []
    for i in order:
        i = int(i)
        row = {
            # Keys whose byte order differs from their UTF-16 order, quotes and backslashes.
            "pk": f"k{i:06d}" + ("\uFF5E" if i % 7 == 0 else "") + ("\U0001F600" if i % 11 == 0 else "") + ('"\\' if i % 13 == 0 else ""),
            "embedding": rng.standard_normal(args.dim).astype(np.float32).tolist(),
            "count": int(rng.integers(-2**31, 2**31)),
            "big": int(rng.integers(-2**62, 2**62)) * 2 + 1,
            "score": float(rng.standard_normal()),
            "ratio": float(np.float32(rng.standard_normal())),
            "flag": bool(i % 2),
            "title": f"title «{i}» with ünïcode",
            "meta": {"i": i, "nested": {"list": [1, 2, i], "s": "x" * (i % 5)}, "null": None},
            "tags": [int(t) for t in rng.integers(-10**12, 10**12, size=i % 5)],
            "maybe": None if i % 3 == 0 else int(i % 30000),
            "extra": f"dyn-{i}" if i % 4 == 0 else None,
        }
        if row["extra"] is None:
            del row["extra"]
        rows.append(row)
    for s in range(0, len(rows), 500):
        client.insert(args.collection, rows[s:s + 500])
    print(json.dumps({"rows": len(rows)}))


if __name__ == "__main__":
    main()
