# A sample of a collection against its HDF5 source, bit for bit (not measured):
#   python sample_check.py URI TOKEN NAME FILE.h5 [N]
# Loads the collection, reads N rows (seeded positions) by key, and compares each vector's float32
# bytes with the file's. Prints {"ok", "sampled", "digest"}: the digest (sha256 of the sampled
# rows' keys and vector bytes, in sample order) is the same for every collection holding the same rows.
import hashlib
import json
import sys

import h5py
import numpy as np
from pymilvus import MilvusClient

uri, token, name, path = sys.argv[1:5]
n = int(sys.argv[5]) if len(sys.argv) > 5 else 200
client = MilvusClient(uri=uri, token=token)
client.load_collection(name)
with h5py.File(path, "r") as f:
    ids, vectors = f["ids"], f["embeddings"]
    rng = np.random.default_rng(11)
    positions = sorted(set(int(p) for p in rng.integers(0, ids.shape[0], n)))
    want = {int(ids[p]): np.asarray(vectors[p], dtype=np.float32).tobytes() for p in positions}
keys = list(want)
rows = client.query(name, filter=f"id in {keys}", output_fields=["id", "embedding"], limit=len(keys) + 10, consistency_level="Strong")
got = {int(r["id"]): np.asarray(r["embedding"], dtype=np.float32).tobytes() for r in rows}
h = hashlib.sha256()
for k in keys:
    h.update(str(k).encode())
    h.update(got.get(k, b""))
ok = len(rows) == len(keys) and all(got.get(k) == v for k, v in want.items())
client.release_collection(name)
client.close()
print(json.dumps({"ok": ok, "sampled": len(keys), "found": len(rows), "digest": h.hexdigest()}))
