"""Writes a Faiss index too large to commit (integration tests, benchmark), and optionally what
Faiss itself says it holds, as an HDF5 file (`ids`, `embeddings`) for verify_h5.py / verify_milvus.py.

    make_index.py OUT.index --kind idmap2_ivfflat --n 200000 --d 37 --nlist 256 [--expected OUT.h5]

Kinds: flat, idmap_flat, ivfflat, idmap2_ivfflat (random signed 64-bit ids), binary_ivf,
binary_idmap_ivf (random signed ids). Random ids never include INT64_MAX (numpy's upper bound is
exclusive): Milvus 2.3.5 counts a row with that key but never returns it to a query.
Prints one JSON line: {"index", "rows", "bytes", "seconds"}.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import faiss

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faiss_expected import expected  # noqa: E402


def signed_ids(rng, n):
    ids = np.unique(rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, size=n + n // 100 + 10, dtype=np.int64))
    rng.shuffle(ids)
    return ids[:n]


def chunks(n, size=100_000):
    for start in range(0, n, size):
        yield start, min(n, start + size)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--kind", required=True, choices=["flat", "idmap_flat", "ivfflat", "idmap2_ivfflat", "binary_ivf", "binary_idmap_ivf"])
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--d", type=int, required=True)
    ap.add_argument("--nlist", type=int, default=256)
    ap.add_argument("--metric", choices=["L2", "IP"], default="L2")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--expected")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    metric = faiss.METRIC_L2 if args.metric == "L2" else faiss.METRIC_INNER_PRODUCT
    started = time.time()
    n, d = args.n, args.d

    def block(lo, hi):
        # Generated per block: the test and the benchmark never hold more than one in Python.
        return np.random.default_rng(args.seed * 1_000_003 + lo).standard_normal((hi - lo, d), dtype=np.float32)

    if args.kind.startswith("binary"):
        xb = rng.integers(0, 256, size=(n, d // 8), dtype=np.uint8)
        index = faiss.IndexBinaryIVF(faiss.IndexBinaryFlat(d), d, args.nlist)
        index.train(xb[: min(n, 50 * args.nlist)])
        if args.kind == "binary_idmap_ivf":
            index = faiss.IndexBinaryIDMap(index)
            index.add_with_ids(xb, signed_ids(rng, n))
        else:
            index.add(xb)
        faiss.write_index_binary(index, args.out)
    else:
        flat = faiss.IndexFlatL2(d) if metric == faiss.METRIC_L2 else faiss.IndexFlatIP(d)
        if args.kind in ("flat", "idmap_flat"):
            index = flat
        else:
            index = faiss.IndexIVFFlat(flat, d, args.nlist, metric)
            index.train(block(0, min(n, 40 * args.nlist)))
        ids = signed_ids(rng, n) if args.kind.startswith("idmap") else None
        if ids is not None:
            index = faiss.IndexIDMap2(index) if args.kind == "idmap2_ivfflat" else faiss.IndexIDMap(index)
        for lo, hi in chunks(n):
            if ids is None:
                index.add(block(lo, hi))
            else:
                index.add_with_ids(block(lo, hi), ids[lo:hi])
        faiss.write_index(index, args.out)
    if args.expected:
        import h5py

        got_ids, got_vecs = expected(index)
        with h5py.File(args.expected, "w") as f:
            f.create_dataset("ids", data=got_ids)
            f.create_dataset("embeddings", data=got_vecs)
    print(json.dumps({"index": args.out, "rows": int(index.ntotal), "bytes": os.path.getsize(args.out), "seconds": round(time.time() - started, 2)}))


if __name__ == "__main__":
    main()
