# A dump of a live collection the way a pymilvus + pyarrow user writes it: query by key ranges
# of about 10,000 rows (the user knows the key bounds), each range appended to one Parquet file
# (ids int64, embeddings list<float>: the layout Milvus bulk import reads), row groups of 100k.
#   python dump_pymilvus.py URI TOKEN SOURCE OUT.parquet LOW HIGH STEP
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pymilvus import MilvusClient

uri, token, source, out = sys.argv[1:5]
low, high, step = map(int, sys.argv[5:8])
client = MilvusClient(uri=uri, token=token)
rows = client.query(source, filter="", output_fields=["count(*)"])[0]["count(*)"]
dim = next(f for f in client.describe_collection(source)["fields"] if f["name"] == "embedding")["params"]["dim"]
schema = pa.schema([("id", pa.int64()), ("embedding", pa.list_(pa.float32()))])
written = 0
with pq.ParquetWriter(out, schema, compression="snappy") as writer:
    for start in range(low, high, step):
        got = client.query(source, filter=f"id >= {start} and id < {start + step}", output_fields=["id", "embedding"], limit=16384)
        if not got:
            continue
        ids = np.array([r["id"] for r in got], dtype=np.int64)
        flat = np.array([r["embedding"] for r in got], dtype=np.float32).reshape(-1)
        vectors = pa.ListArray.from_arrays(pa.array(np.arange(0, len(got) * dim + 1, dim, dtype=np.int32)), pa.array(flat))
        writer.write_table(pa.table({"id": ids, "embedding": vectors}, schema=schema), row_group_size=100_000)
        written += len(got)
assert written == rows, f"read {written} rows of {rows}"
client.close()
