# Helpers of the benchmark harness, not measured: count, drop, and build source collections.
#   python collection_tool.py URI TOKEN count NAME          -> rows after a flush (segment statistics)
#   python collection_tool.py URI TOKEN drop NAME
#   python collection_tool.py URI TOKEN load NAME
#   python collection_tool.py URI TOKEN time-flush-stats|time-load|time-count|time-release NAME -> {seconds, result}
#   python collection_tool.py URI TOKEN source NAME FILE.h5 -> a loaded, indexed, flushed copy of FILE.h5
#   python collection_tool.py URI TOKEN h5rows FILE.h5      -> "rows dim" of embeddings and ids (must agree)
#   python collection_tool.py URI TOKEN parquet_rows FILE.parquet [...] -> rows of the files (ids and embeddings, non-null)
import json
import sys
import time

import h5py
from pymilvus import DataType, MilvusClient

uri, token, action = sys.argv[1:4]
if action == "h5rows":
    with h5py.File(sys.argv[4], "r") as f:
        assert f["embeddings"].shape[0] == f["ids"].shape[0], "embeddings and ids differ in length"
        print(f["embeddings"].shape[0], f["embeddings"].shape[1])
    sys.exit(0)
if action == "parquet_rows":
    import pyarrow.parquet as pq

    total = 0
    for path in sys.argv[4:]:
        table = pq.read_table(path, columns=["id", "embedding"])
        assert table.column("id").null_count == 0 and table.column("embedding").null_count == 0, f"{path}: nulls"
        total += table.num_rows
    print(total)
    sys.exit(0)
client = MilvusClient(uri=uri, token=token)
name = sys.argv[4]
if action == "count":
    client.flush(name)
    print(client.get_collection_stats(name)["row_count"])
elif action == "drop":
    client.drop_collection(name)
elif action == "load":
    client.load_collection(name)
elif action in ("time-flush-stats", "time-load", "time-count", "time-release"):
    # One verification step, timed here (the caller samples the server's CPU around it).
    started = time.perf_counter()
    if action == "time-flush-stats":
        client.flush(name)
        result = client.get_collection_stats(name)["row_count"]
    elif action == "time-load":
        result = client.load_collection(name)
    elif action == "time-count":
        result = client.query(name, filter="", output_fields=["count(*)"], consistency_level="Strong")[0]["count(*)"]
    else:
        result = client.release_collection(name)
    print(json.dumps({"seconds": time.perf_counter() - started, "result": result}))
elif action == "source":
    with h5py.File(sys.argv[5], "r") as f:
        vectors, ids = f["embeddings"], f["ids"]
        schema = client.create_schema(auto_id=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("embedding", DataType.FLOAT_VECTOR, dim=vectors.shape[1])
        index = client.prepare_index_params()
        index.add_index("embedding", index_type="AUTOINDEX", metric_type="L2")
        client.create_collection(name, schema=schema, index_params=index)
        for start in range(0, len(ids), 10_000):
            block_ids, block = ids[start : start + 10_000], vectors[start : start + 10_000]
            client.insert(name, [{"id": int(i), "embedding": v} for i, v in zip(block_ids, block)])
    client.flush(name)
    client.load_collection(name)
    print(client.query(name, filter="", output_fields=["count(*)"])[0]["count(*)"])
client.close()
