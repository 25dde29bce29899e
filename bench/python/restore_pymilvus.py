# A restore of Parquet files into a new collection the way a pyarrow + pymilvus user writes it:
# create the collection (id int64 key, embedding float vector, AUTOINDEX L2), read the files row
# group by row group, insert numpy columns in batches of 10,000 with the ORM, flush.
#   python restore_pymilvus.py URI TOKEN TARGET DIM FILE.parquet [FILE.parquet ...]
import sys

import numpy as np
import pyarrow.parquet as pq
from pymilvus import Collection, CollectionSchema, DataType, FieldSchema, connections

uri, token, target, dim = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
files = sys.argv[5:]
connections.connect(uri=uri, token=token)
schema = CollectionSchema([
    FieldSchema("id", DataType.INT64, is_primary=True),
    FieldSchema("embedding", DataType.FLOAT_VECTOR, dim=dim),
])
collection = Collection(target, schema)
collection.create_index("embedding", {"index_type": "AUTOINDEX", "metric_type": "L2", "params": {}})
for path in files:
    f = pq.ParquetFile(path)
    for batch in f.iter_batches(batch_size=10_000, columns=["id", "embedding"]):
        ids = batch.column(0).to_numpy()
        vectors = batch.column(1).values.to_numpy().reshape(-1, dim)
        collection.insert([ids, vectors])
collection.flush()
collection.load()
connections.disconnect("default")
