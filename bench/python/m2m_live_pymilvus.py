# M2M between live collections the way a pymilvus user writes it: query the source by key
# ranges of about 10,000 rows (the user knows the key bounds), insert the returned rows into a new
# collection with MilvusClient. (query_iterator would be shorter, but on Milvus Lite 3.2.2 it loses
# and repeats rows when keys were not inserted in order; see packages/readers/milvus/README.md.)
#   python m2m_live_pymilvus.py URI TOKEN SOURCE TARGET LOW HIGH STEP
import sys

from pymilvus import DataType, MilvusClient

uri, token, source, target = sys.argv[1:5]
low, high, step = map(int, sys.argv[5:8])
client = MilvusClient(uri=uri, token=token)
dim = next(f for f in client.describe_collection(source)["fields"] if f["name"] == "embedding")["params"]["dim"]
schema = client.create_schema(auto_id=False)
schema.add_field("id", DataType.INT64, is_primary=True)
schema.add_field("embedding", DataType.FLOAT_VECTOR, dim=dim)
index = client.prepare_index_params()
index.add_index("embedding", index_type="AUTOINDEX", metric_type="L2")
client.create_collection(target, schema=schema, index_params=index)
for start in range(low, high, step):
    rows = client.query(source, filter=f"id >= {start} and id < {start + step}", output_fields=["id", "embedding"], limit=16384)
    if rows:
        client.insert(target, list(rows))
client.close()
