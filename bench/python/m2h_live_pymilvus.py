# M2H of a live collection the way a pymilvus + h5py user writes it: count the rows, query by key
# ranges of about 10,000 rows (the user knows the key bounds), write ids and embeddings with h5py.
#   python m2h_live_pymilvus.py URI TOKEN SOURCE OUT.h5 LOW HIGH STEP
import sys

import h5py
import numpy as np
from pymilvus import MilvusClient

uri, token, source, out = sys.argv[1:5]
low, high, step = map(int, sys.argv[5:8])
client = MilvusClient(uri=uri, token=token)
rows = client.query(source, filter="", output_fields=["count(*)"])[0]["count(*)"]
dim = next(f for f in client.describe_collection(source)["fields"] if f["name"] == "embedding")["params"]["dim"]
with h5py.File(out, "w") as f:
    ids = f.create_dataset("ids", (rows,), dtype="int64")
    vectors = f.create_dataset("embeddings", (rows, dim), dtype="float32")
    at = 0
    for start in range(low, high, step):
        got = client.query(source, filter=f"id >= {start} and id < {start + step}", output_fields=["id", "embedding"], limit=16384)
        if got:
            ids[at : at + len(got)] = [r["id"] for r in got]
            vectors[at : at + len(got)] = np.array([r["embedding"] for r in got], dtype=np.float32)
            at += len(got)
    assert at == rows, f"read {at} rows of {rows}"
client.close()
