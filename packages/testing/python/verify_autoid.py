"""Independent check of a collection whose keys the server assigned, against an HDF5 file's vectors.

Keys cannot be matched, so the check is on the multiset of vectors: the target's count(*) must
equal the file's rows, and the sorted bit patterns of every stored vector must equal the file's
(a lost row, a doubled row or a changed vector all break it). Reads the target by key ranges.
Prints one JSON document: {"expected", "counted", "fetched", "missing", "extra", "ok"}.
"""
import argparse
import json
from collections import Counter

import h5py
import numpy as np
from pymilvus import MilvusClient


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--collection", required=True)
    ap.add_argument("--h5", required=True)
    ap.add_argument("--id-field", default="id")
    ap.add_argument("--vector-field", default="embedding")
    args = ap.parse_args()
    with h5py.File(args.h5, "r") as f:
        expected = np.asarray(f["embeddings"][()]).astype(np.float32)
    client = MilvusClient(uri=args.uri, token=args.token)
    client.load_collection(args.collection)
    counted = client.query(args.collection, filter="", output_fields=["count(*)"], consistency_level="Strong")[0]["count(*)"]
    got = []
    field = args.id_field

    def count(lo, hi):
        return client.query(args.collection, filter=f"{field} >= {lo} && {field} < {hi}", output_fields=["count(*)"],
                            consistency_level="Strong")[0]["count(*)"]

    # Storage order is not key order on Milvus Lite, so pages are key ranges, halved until each
    # holds few enough rows for one query.
    stack = [(-(2**63) + 1, 2**63 - 1)]
    while stack:
        lo, hi = stack.pop()
        n = count(lo, hi)
        if n == 0:
            continue
        if n > 16000 and hi - lo > 1:
            mid = (lo + hi) // 2
            stack += [(lo, mid), (mid, hi)]
            continue
        rows = client.query(args.collection, filter=f"{field} >= {lo} && {field} < {hi}", output_fields=[field, args.vector_field],
                            consistency_level="Strong", limit=16384)
        for r in rows:
            got.append(np.asarray(r[args.vector_field], dtype=np.float32).tobytes())
    want = Counter(v.tobytes() for v in expected)
    have = Counter(got)
    missing = sum((want - have).values())
    extra = sum((have - want).values())
    print(json.dumps({"expected": int(len(expected)), "counted": int(counted), "fetched": len(got), "missing": missing, "extra": extra,
                      "ok": missing == 0 and extra == 0 and int(counted) == len(expected) and len(got) == len(expected)}))


if __name__ == "__main__":
    main()
