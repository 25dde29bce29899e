"""Turns the rows a fixture must yield (.npy pairs written by the fixture builder) into HDF5
files in the MilvusDM layout, with numpy and h5py, so verify_h5.py / verify_milvus.py can
compare a migration against them.

For every <stem>.ids.npy in DIR, writes <stem>.h5 with datasets "ids" (int64) and
"embeddings" (float32 rows, or uint8 rows for binary vectors).
Prints JSON {"files": {stem: {"path", "rows"}}}.
"""
import glob
import json
import os
import sys

import h5py
import numpy as np


def main():
    folder = sys.argv[1]
    out = {}
    for ids_path in sorted(glob.glob(os.path.join(folder, "*.ids.npy"))):
        stem = ids_path[: -len(".ids.npy")]
        ids = np.load(ids_path)
        vectors = np.load(stem + ".vectors.npy")
        assert ids.dtype == np.int64 and ids.ndim == 1, ids.dtype
        assert vectors.dtype in (np.float32, np.uint8) and vectors.shape[0] == ids.shape[0], (vectors.dtype, vectors.shape)
        with h5py.File(stem + ".h5", "w") as f:
            f.create_dataset("ids", data=ids)
            f.create_dataset("embeddings", data=vectors)
        out[os.path.basename(stem)] = {"path": stem + ".h5", "rows": int(ids.shape[0])}
    print(json.dumps({"files": out}))


if __name__ == "__main__":
    main()
