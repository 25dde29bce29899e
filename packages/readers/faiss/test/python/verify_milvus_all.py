"""Independent check of a small Milvus collection against expected rows (HDF5 `ids`, `embeddings`).

Unlike packages/testing/python/verify_milvus.py, it fetches rows without naming any id in a
filter: Milvus 2.3's expression parser rejects the literal -9223372036854775808 (INT64_MIN),
which Faiss fixtures carry on purpose. Rows come from two queries, `id < 0` and `id >= 0`, each
limited to 16384 rows (Milvus's query window), so collections stay below that per sign.

Prints one JSON document: {"expected", "counted", "fetched", "mismatches", "ok"}.
"""
import argparse
import json

import h5py
import numpy as np
from pymilvus import MilvusClient

WINDOW = 16384


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--collection", required=True)
    ap.add_argument("--h5", required=True)
    ap.add_argument("--id-field", default="id")
    ap.add_argument("--vector-field", default="embedding")
    ap.add_argument("--binary", action="store_true")
    args = ap.parse_args()

    with h5py.File(args.h5, "r") as f:
        ids = np.asarray(f["ids"][()], dtype=np.int64)
        vecs = np.asarray(f["embeddings"][()])
    client = MilvusClient(uri=args.uri, token=args.token)
    client.load_collection(args.collection)
    counted = client.query(args.collection, filter="", output_fields=["count(*)"], consistency_level="Strong")[0]["count(*)"]
    got = {}
    for expr in (f"{args.id_field} < 0", f"{args.id_field} >= 0"):
        rows = client.query(args.collection, filter=expr, output_fields=[args.id_field, args.vector_field],
                            consistency_level="Strong", limit=WINDOW)
        if len(rows) >= WINDOW:
            raise SystemExit(f"{args.collection}: {expr} matches {WINDOW}+ rows; this tool checks small collections only")
        for r in rows:
            got[int(r[args.id_field])] = r[args.vector_field]
    mismatches = []
    for i, expected in zip(ids, vecs):
        value = got.get(int(i))
        if value is None:
            mismatches.append({"id": str(i), "why": "missing"})
        elif args.binary:
            actual = np.frombuffer(value[0] if isinstance(value, list) else value, dtype=np.uint8)
            if not np.array_equal(actual, np.asarray(expected, dtype=np.uint8)):
                mismatches.append({"id": str(i), "why": "vector differs"})
        else:
            actual = np.asarray(value, dtype=np.float32)
            if not np.array_equal(actual.view(np.uint32), np.asarray(expected, dtype=np.float32).view(np.uint32)):
                mismatches.append({"id": str(i), "why": "vector differs"})
        if len(mismatches) >= 10:
            break
    print(json.dumps({
        "expected": int(len(ids)),
        "counted": int(counted),
        "fetched": len(got),
        "mismatches": mismatches,
        "ok": not mismatches and int(counted) == len(ids) and len(got) == len(set(int(x) for x in ids)),
    }))


if __name__ == "__main__":
    main()
