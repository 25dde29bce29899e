# H2M the way a pymilvus user writes it: h5py reads, MilvusClient.insert sends row dicts.
#   python h2m_milvusclient.py URI TOKEN COLLECTION FILE.h5
import sys

import h5py
from pymilvus import DataType, MilvusClient

uri, token, name, path = sys.argv[1:5]
client = MilvusClient(uri=uri, token=token)
with h5py.File(path, "r") as f:
    vectors, ids = f["embeddings"], f["ids"]
    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("embedding", DataType.FLOAT_VECTOR, dim=vectors.shape[1])
    index = client.prepare_index_params()
    index.add_index("embedding", index_type="AUTOINDEX", metric_type="L2")
    client.create_collection(name, schema=schema, index_params=index)
    for start in range(0, len(ids), 10_000):
        block_ids, block = ids[start : start + 10_000], vectors[start : start + 10_000]
        rows = [{"id": int(i), "embedding": v} for i, v in zip(block_ids, block)]
        client.insert(name, rows)
client.close()
