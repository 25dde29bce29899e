"""Builds a collection that uses every schema property the server accepts: descriptions, a
partition key with its partition count, a clustering key, default values, max_length and
max_capacity, nullable fields, dynamic fields, shards, consistency level, collection properties
(TTL, mmap), a BM25 function with its sparse output, indexes with explicit parameters, aliases,
and loads it. Prints JSON {"rows", "aliases"}."""
import argparse
import json

import numpy as np
from pymilvus import DataType, Function, FunctionType, MilvusClient


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--collection", required=True)
    ap.add_argument("--rows", type=int, default=300)
    ap.add_argument("--milvus23", action="store_true", help="only what Milvus 2.3 has: no BM25, clustering key, default values, nullable fields, analyzer")
    args = ap.parse_args()
    rng = np.random.default_rng(3)
    c = MilvusClient(uri=args.uri, token=args.token)
    s = c.create_schema(auto_id=False, enable_dynamic_field=True, description="books, with every property")
    s.add_field("id", DataType.INT64, is_primary=True, description="the key")
    s.add_field("vec", DataType.FLOAT_VECTOR, dim=8, description="embedding")
    s.add_field("tenant", DataType.VARCHAR, max_length=32, is_partition_key=True)
    new = not args.milvus23
    s.add_field("year", DataType.INT32, **({"is_clustering_key": True} if new else {}))
    s.add_field("price", DataType.DOUBLE, **({"default_value": 9.5} if new else {}))
    s.add_field("stock", DataType.INT64, **({"default_value": 2**60 + 1, "nullable": True} if new else {}))
    s.add_field("title", DataType.VARCHAR, max_length=300, **({"enable_analyzer": True} if new else {}))
    s.add_field("tags", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=5, max_length=20)
    if new:
        s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        s.add_function(Function(name="title_bm25", function_type=FunctionType.BM25, input_field_names=["title"], output_field_names=["sparse"]))
    idx = c.prepare_index_params()
    idx.add_index("vec", index_type="HNSW", metric_type="COSINE", params={"M": 12, "efConstruction": 80})
    if new:
        idx.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    c.create_collection(args.collection, schema=s, index_params=idx, num_partitions=8, shards_num=1, consistency_level="Session",
                        properties={"collection.ttl.seconds": "86400"})
    rows = []
    for i in rng.permutation(args.rows):
        i = int(i)
        r = {"id": i * 3 - 400, "vec": rng.standard_normal(8).astype(np.float32).tolist(), "tenant": f"t{i % 5}", "year": 1990 + i % 30,
             "title": f"book {i} about {'cats' if i % 2 else 'dogs'}", "tags": [f"g{j}" for j in range(i % 4)]}
        if i % 3 or not new:
            r["price"] = float(i) / 4
        if i % 4 or not new:
            r["stock"] = None if i % 4 == 1 and new else i * 1000
        if i % 5 == 0:
            r["extra"] = {"n": i}
        rows.append(r)
    for k in range(0, len(rows), 100):
        c.insert(args.collection, rows[k:k + 100])
    aliases = [args.collection + "_a1", args.collection + "_a2"]
    for a in aliases:
        c.create_alias(args.collection, a)
    c.load_collection(args.collection)
    print(json.dumps({"rows": len(rows), "aliases": aliases}))


if __name__ == "__main__":
    main()
