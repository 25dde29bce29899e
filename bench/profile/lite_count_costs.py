"""Server CPU of each way to count a collection's rows on a Milvus Lite 3.x server, on 100,000
unflushed rows of 128 floats. Usage: lite_count_costs.py URI SERVER_PID [ROWS]"""
import sys

import numpy as np
from pymilvus import DataType, MilvusClient

uri, pid = sys.argv[1], int(sys.argv[2])
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
client = MilvusClient(uri)


def cpu() -> float:
    fields = open(f"/proc/{pid}/stat").read().split(")")[1].split()
    return (int(fields[11]) + int(fields[12])) / 100


for way in ["statistics", "count(*)", "count(*) over the key range", "flush + statistics", "load + count(*)"]:
    if client.has_collection("counted"):
        client.drop_collection("counted")
    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("v", DataType.FLOAT_VECTOR, dim=128)
    index = client.prepare_index_params()
    index.add_index("v", index_type="AUTOINDEX", metric_type="L2")
    client.create_collection("counted", schema=schema, index_params=index)
    rng = np.random.default_rng(1)
    for start in range(0, rows, 10_000):
        client.insert("counted", [{"id": i, "v": rng.random(128, dtype=np.float32)} for i in range(start, start + 10_000)])
    before = cpu()
    if way == "statistics":
        n = client.get_collection_stats("counted")["row_count"]
    elif way == "count(*)":
        n = client.query("counted", filter="", output_fields=["count(*)"])[0]["count(*)"]
    elif way == "count(*) over the key range":
        n = client.query("counted", filter=f"id >= 0 && id <= {rows - 1}", output_fields=["count(*)"])[0]["count(*)"]
    elif way == "flush + statistics":
        client.flush("counted")
        n = client.get_collection_stats("counted")["row_count"]
    else:
        client.load_collection("counted")
        n = client.query("counted", filter="", output_fields=["count(*)"])[0]["count(*)"]
    print(f"{way}: {n} rows, server CPU {cpu() - before:.2f} s", flush=True)
client.drop_collection("counted")
