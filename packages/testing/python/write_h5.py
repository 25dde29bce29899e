"""Writes HDF5 test inputs with h5py (the library the seed used), so the reader is tested on
files it did not write itself. Prints JSON {"path", "rows"}."""
import argparse
import json

import h5py
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--dim", type=int, required=True)
    ap.add_argument("--pattern", choices=["counting", "random"], default="random")
    ap.add_argument("--dtype", default="float32", help="float16/32/64, uint8 (binary), S (byte strings)")
    ap.add_argument("--ids", default="int64", help="int64, int32, uint64, none")
    ap.add_argument("--layout", choices=["milvusdm", "ann"], default="milvusdm")
    ap.add_argument("--chunks", type=int, default=0, help="rows per chunk; 0 = contiguous")
    ap.add_argument("--gzip", type=int, default=-1)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--id-offset", type=int, default=0)
    ap.add_argument("--vector-scale", type=float, default=1.0, help="multiplies the counting pattern")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    n, d = args.rows, args.dim
    if args.pattern == "counting":
        ids = np.arange(n, dtype=np.int64) * 1000003 - 5
        vecs = (args.vector_scale * np.arange(n, dtype=np.float64)[:, None] / (np.arange(d, dtype=np.float64)[None, :] + 1)).astype(np.float32)
    else:
        ids = rng.permutation(n).astype(np.int64) * 7919 - 10**17
        if args.dtype in ("uint8", "S"):
            vecs = rng.integers(0, 256, size=(n, d // 8), dtype=np.uint8)
            # Trailing and inner NUL bytes: a string reader that trims would lose them.
            if n > 0:
                vecs[0, -3:] = 0
                vecs[min(1, n - 1), 0] = 0
        else:
            vecs = rng.standard_normal((n, d)).astype(np.float64)
    ids = ids + args.id_offset
    kw = {}
    if args.chunks:
        kw["chunks"] = (args.chunks,) + (() if args.dtype == "S" else (vecs.shape[1],))
    if args.gzip >= 0:
        kw["compression"] = "gzip"
        kw["compression_opts"] = args.gzip
    with h5py.File(args.out, "w") as f:
        name = "train" if args.layout == "ann" else "embeddings"
        if args.dtype == "S":
            data = np.array([bytes(row) for row in vecs], dtype=f"S{d // 8}")
            f.create_dataset(name, data=data, **kw)
        elif args.dtype == "uint8":
            f.create_dataset(name, data=vecs, **kw)
        else:
            f.create_dataset(name, data=vecs.astype(args.dtype), **kw)
        if args.layout == "ann":
            f.attrs["distance"] = "angular"
            f.create_dataset("test", data=np.zeros((2, d), dtype=np.float32))
        elif args.ids != "none":
            f.create_dataset("ids", data=ids.astype(args.ids))
    print(json.dumps({"path": args.out, "rows": n}))


if __name__ == "__main__":
    main()
