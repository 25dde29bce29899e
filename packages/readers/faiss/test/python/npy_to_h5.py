"""Packs a committed fixture's expectation (`<name>.ids.npy`, `<name>.vectors.npy`, written by the
Faiss that wrote the index) into an HDF5 file with `ids` and `embeddings`, for verify_h5.py and the
Milvus checks. Used instead of re-reading the index with the venv's Faiss, which cannot read some
older files (Faiss 1.15 rejects the code_size 0 that Faiss 1.7.3 wrote in binary IDMap headers).

Prints one JSON line: {"rows", "out"}.
"""
import json
import sys

import h5py
import numpy as np


def main():
    ids_path, vectors_path, out = sys.argv[1:4]
    ids = np.load(ids_path)
    vectors = np.load(vectors_path)
    with h5py.File(out, "w") as f:
        f.create_dataset("ids", data=ids.astype(np.int64))
        f.create_dataset("embeddings", data=vectors)
    print(json.dumps({"rows": int(len(ids)), "out": out}))


if __name__ == "__main__":
    main()
