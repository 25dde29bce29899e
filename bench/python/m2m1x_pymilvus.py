# The reference for M2M from a Milvus 1.x directory. No pymilvus tool reads 1.x files, so this is
# the least a script can do: read each segment's raw bytes with numpy (.uid ids, .rv vectors, each
# after its 8-byte length header), drop the rows listed in deleted_docs, and insert numpy columns
# in batches of 10,000 with the ORM. It trusts the files: no meta, no checks.
#   python m2m1x_pymilvus.py URI TOKEN COLLECTION DIM SEGMENTS.json   ([[rv, uid, deleted_docs], ...])
import json
import os
import sys

import numpy as np
from pymilvus import Collection, CollectionSchema, DataType, FieldSchema, connections

uri, token, name, dim, segments = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
connections.connect(uri=uri, token=token)
fields = [FieldSchema("id", DataType.INT64, is_primary=True), FieldSchema("embedding", DataType.FLOAT_VECTOR, dim=dim)]
collection = Collection(name, CollectionSchema(fields))
collection.create_index("embedding", {"index_type": "AUTOINDEX", "metric_type": "L2", "params": {}})
for rv, uid, deleted in json.load(open(segments)):
    ids = np.fromfile(uid, dtype=np.int64, offset=8)
    vectors = np.fromfile(rv, dtype=np.float32, offset=8).reshape(-1, dim)
    keep = np.ones(len(ids), dtype=bool)
    if os.path.exists(deleted):
        keep[np.fromfile(deleted, dtype=np.int32, offset=8)] = False
    ids, vectors = ids[keep], vectors[keep]
    for start in range(0, len(ids), 10_000):
        collection.insert([ids[start : start + 10_000], vectors[start : start + 10_000]])
connections.disconnect("default")
