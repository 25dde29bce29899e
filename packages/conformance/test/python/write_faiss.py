"""Stores generated rows in a Faiss index file, written by Faiss itself, for the conformance run.

    write_faiss.py OUT.index IDS.bin VECTORS.bin --d DIM --binary 0|1

IDS.bin: little-endian int64; VECTORS.bin: float32 rows (or packed bit rows for --binary 1).
The ids are kept with an IndexIDMap over a flat index, so Faiss holds the vectors exactly.
"""
import argparse

import faiss
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("ids")
ap.add_argument("vectors")
ap.add_argument("--d", type=int, required=True)
ap.add_argument("--binary", type=int, default=0)
a = ap.parse_args()

ids = np.fromfile(a.ids, dtype="<i8")
if a.binary:
    vectors = np.fromfile(a.vectors, dtype=np.uint8).reshape(len(ids), a.d // 8)
    index = faiss.IndexBinaryIDMap(faiss.IndexBinaryFlat(a.d))
    if len(ids):
        index.add_with_ids(vectors, ids)
    faiss.write_index_binary(index, a.out)
else:
    vectors = np.fromfile(a.vectors, dtype="<f4").reshape(len(ids), a.d)
    index = faiss.IndexIDMap(faiss.IndexFlatL2(a.d))
    if len(ids):
        index.add_with_ids(vectors, ids)
    faiss.write_index(index, a.out)
