"""Builds a collection with pymilvus (independently of milvusdm) and writes what it holds to HDF5.

Ids are inserted in shuffled order, in batches; then a fraction of them is upserted with new
vectors, so storage order, key order and insertion order all differ. The expected final
content (ids and float32 or uint8 vectors) is written with h5py to --expected.
Prints JSON {"rows", "upserted", "partitions"}.
"""
import argparse
import json
import os

import h5py
import numpy as np
from pymilvus import DataType, MilvusClient


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--collection", required=True)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--dim", type=int, default=16)
    ap.add_argument("--binary", action="store_true")
    ap.add_argument("--partitions", default="", help="comma-separated (may include _default); rows are spread over them")
    ap.add_argument("--upsert-fraction", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--big-ids", action="store_true", help="ids around ±2^62, beyond 2^53")
    ap.add_argument("--expected", required=True, help="folder for all.h5 and <partition>.h5 with the expected content")
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    if args.big_ids:
        ids = rng.choice(np.arange(-args.rows, args.rows, dtype=np.int64), size=args.rows, replace=False) * (2**40) + 12345
    else:
        ids = rng.permutation(np.arange(args.rows, dtype=np.int64) * 3 + 1)
    if args.binary:
        vecs = rng.integers(0, 256, size=(args.rows, args.dim // 8), dtype=np.uint8)
    else:
        vecs = rng.standard_normal((args.rows, args.dim)).astype(np.float32)

    client = MilvusClient(uri=args.uri, token=args.token)
    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("embedding", DataType.BINARY_VECTOR if args.binary else DataType.FLOAT_VECTOR, dim=args.dim)
    index = client.prepare_index_params()
    index.add_index("embedding", index_type="BIN_FLAT" if args.binary else "AUTOINDEX", metric_type="HAMMING" if args.binary else "L2")
    client.create_collection(args.collection, schema=schema, index_params=index)
    partitions = [p for p in args.partitions.split(",") if p]
    for p in partitions:
        # "_default" is there already: naming it spreads rows over the default partition too.
        if p != "_default":
            client.create_partition(args.collection, p)
    targets = partitions or [None]

    def rows(idx):
        return [{"id": int(ids[i]), "embedding": (bytes(vecs[i]) if args.binary else vecs[i].tolist())} for i in idx]

    order = np.arange(args.rows)
    for start in range(0, args.rows, args.batch):
        idx = order[start:start + args.batch]
        part = targets[(start // args.batch) % len(targets)]
        client.insert(args.collection, rows(idx), partition_name=part)
    part_of = {}
    for start in range(0, args.rows, args.batch):
        for i in order[start:start + args.batch]:
            part_of[int(i)] = targets[(start // args.batch) % len(targets)]
    upserted = 0
    if args.upsert_fraction > 0:
        pick = rng.choice(args.rows, size=int(args.rows * args.upsert_fraction), replace=False)
        if args.binary:
            vecs[pick] = rng.integers(0, 256, size=(len(pick), args.dim // 8), dtype=np.uint8)
        else:
            vecs[pick] = rng.standard_normal((len(pick), args.dim)).astype(np.float32)
        # Upsert each row into the partition it was inserted into.
        for p in targets:
            idx = [int(i) for i in pick if part_of[int(i)] == p]
            for s in range(0, len(idx), args.batch):
                client.upsert(args.collection, rows(idx[s:s + args.batch]), partition_name=p)
        upserted = len(pick)
    os.makedirs(args.expected, exist_ok=True)
    with h5py.File(os.path.join(args.expected, "all.h5"), "w") as f:
        f.create_dataset("ids", data=ids)
        f.create_dataset("embeddings", data=vecs)
    for p in targets:
        idx = np.array([i for i in range(args.rows) if part_of[i] == p], dtype=np.int64)
        with h5py.File(os.path.join(args.expected, f"{p or '_default'}.h5"), "w") as f:
            f.create_dataset("ids", data=ids[idx] if len(idx) else np.zeros(0, dtype=np.int64))
            f.create_dataset("embeddings", data=vecs[idx] if len(idx) else vecs[:0])
    print(json.dumps({"rows": args.rows, "upserted": upserted, "partitions": partitions}))


if __name__ == "__main__":
    main()
