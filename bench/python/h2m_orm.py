# H2M the way a pymilvus ORM user writes it: h5py reads, Collection.insert sends numpy columns.
#   python h2m_orm.py URI TOKEN COLLECTION FILE.h5 [--load-first]
import sys

import h5py
from pymilvus import Collection, CollectionSchema, DataType, FieldSchema, connections

uri, token, name, path = sys.argv[1:5]
connections.connect(uri=uri, token=token)
with h5py.File(path, "r") as f:
    vectors, ids = f["embeddings"], f["ids"]
    fields = [
        FieldSchema("id", DataType.INT64, is_primary=True),
        FieldSchema("embedding", DataType.FLOAT_VECTOR, dim=vectors.shape[1]),
    ]
    collection = Collection(name, CollectionSchema(fields))
    collection.create_index("embedding", {"index_type": "AUTOINDEX", "metric_type": "L2", "params": {}})
    if "--load-first" in sys.argv:  # only for bench/profile: insert into a loaded collection, as milvusdm does
        collection.load()
    for start in range(0, len(ids), 10_000):
        collection.insert([ids[start : start + 10_000], vectors[start : start + 10_000]])
connections.disconnect("default")
