"""What Faiss itself says an index file holds: its ids and vectors, taken with Faiss's own API.

This is the independent reference the reader is checked against. It never parses bytes:
* flat, HNSW, SQ, PQ (no stored ids): `reconstruct_n`, ids 0..n-1;
* IDMap / IDMap2 (float and binary): the inner index's rows, ids translated through `id_map`;
* IVF (float and binary): each inverted list in order, ids from `invlists.get_ids`, vectors from
  `reconstruct_from_offset` (float) or the raw codes (binary, where the code is the vector).

Runs under any Faiss from 1.7.3 on (Debian's python3-faiss and faiss-cpu from PyPI).

As a command: `faiss_expected.py INDEX OUT.h5|OUT.npz [--binary]` writes `ids` and `embeddings`
(the MilvusDM HDF5 layout, so packages/testing/python/verify_*.py can compare against it).
"""
import argparse
import os
import sys

import numpy as np
import faiss


def _is_binary(index):
    return isinstance(index, faiss.IndexBinary)


def _down(index):
    return faiss.downcast_IndexBinary(index) if _is_binary(index) else faiss.downcast_index(index)


def _ivf_lists(idx, lossless_codes):
    """(ids, vectors) of an IVF index, list by list, as Faiss stores and reconstructs them."""
    invlists = idx.invlists
    binary = _is_binary(idx)
    d = idx.d
    ids, vecs = [], []
    for l in range(idx.nlist):
        n = invlists.list_size(l)
        if n == 0:
            continue
        ids.append(faiss.rev_swig_ptr(invlists.get_ids(l), n).copy())
        if binary:
            codes = faiss.rev_swig_ptr(invlists.get_codes(l), n * invlists.code_size).copy()
            vecs.append(codes.reshape(n, d // 8))
        elif lossless_codes:
            codes = faiss.rev_swig_ptr(invlists.get_codes(l), n * invlists.code_size).copy()
            vecs.append(codes.view(np.float32).reshape(n, d))
        else:
            out = np.empty((n, d), dtype=np.float32)
            for o in range(n):
                idx.reconstruct_from_offset(l, o, faiss.swig_ptr(out[o]))
            vecs.append(out)
    if not ids:
        return np.zeros(0, np.int64), np.zeros((0, d // 8 if binary else d), np.uint8 if binary else np.float32)
    return np.concatenate(ids).astype(np.int64), np.concatenate(vecs)


def expected(index):
    """Returns (ids int64[n], vectors float32[n, d] | uint8[n, d/8]) in the order Faiss stores them."""
    idx = _down(index)
    binary = _is_binary(idx)
    width = idx.d // 8 if binary else idx.d
    dtype = np.uint8 if binary else np.float32
    if isinstance(idx, (faiss.IndexIDMap, faiss.IndexBinaryIDMap)):
        id_map = faiss.vector_to_array(idx.id_map).astype(np.int64)
        inner_ids, vecs = expected(idx.index)
        return id_map[inner_ids], vecs
    if isinstance(idx, (faiss.IndexIVF, faiss.IndexBinaryIVF)):
        if idx.invlists is None:
            raise ValueError("no inverted lists in this index")
        return _ivf_lists(idx, isinstance(idx, faiss.IndexIVFFlat))
    n = idx.ntotal
    if n == 0:
        return np.zeros(0, np.int64), np.zeros((0, width), dtype)
    vecs = np.empty((n, width), dtype=dtype)
    if binary:
        # Row by row: IndexBinary.reconstruct_n in Faiss 1.7.3 strides by d (bits) instead of
        # code_size (bytes) and so returns only the first row; reconstruct(i) is right everywhere.
        for i in range(n):
            vecs[i] = idx.reconstruct(i)
    else:
        idx.reconstruct_n(0, n, vecs)
    return np.arange(n, dtype=np.int64), vecs


def read_any(path):
    """
    Reads a float or a binary index: Faiss has a separate reader for each family. On-disk lists
    are looked up next to the index (IO_FLAG_ONDISK_SAME_DIR), which Faiss announces with a
    printf on stdout: it is sent to stderr so that stdout keeps only our JSON.
    """
    with open(path, "rb") as f:
        binary = f.read(2) == b"IB"
    if binary:
        return faiss.read_index_binary(path)
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        return faiss.read_index(path, faiss.IO_FLAG_ONDISK_SAME_DIR)
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("index")
    ap.add_argument("out")
    args = ap.parse_args()
    ids, vecs = expected(read_any(args.index))
    if args.out.endswith(".npz"):
        np.savez(args.out, ids=ids, embeddings=vecs)
    else:
        import h5py

        with h5py.File(args.out, "w") as f:
            f.create_dataset("ids", data=ids)
            f.create_dataset("embeddings", data=vecs)
    print(f'{{"rows": {len(ids)}, "out": "{args.out}"}}')


if __name__ == "__main__":
    sys.exit(main())
