"""Creates a database holding a few small collections (int64 and varchar keys, an HNSW index
with parameters, an alias on one, one left unloaded; --partitions spreads "docs" rows over named
partitions). Prints JSON {"collections": {name: rows}}."""
import argparse
import json

import numpy as np
from pymilvus import DataType, MilvusClient


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--database", required=True)
    ap.add_argument("--rows", type=int, default=400)
    ap.add_argument("--empty", action="store_true", help="only create the database")
    ap.add_argument("--partitions", default="", help="comma-separated partitions of docs; its rows go round-robin into them")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    c = MilvusClient(uri=args.uri, token=args.token)
    if args.database not in c.list_databases():
        c.create_database(args.database)
    if args.empty:
        print(json.dumps({"collections": {}}))
        return
    c = MilvusClient(uri=args.uri, token=args.token, db_name=args.database)
    out = {}
    for name, pk, loaded in (("docs", DataType.INT64, True), ("notes", DataType.VARCHAR, False)):
        s = c.create_schema(auto_id=False, enable_dynamic_field=False)
        s.add_field("id", pk, is_primary=True, **({"max_length": 16} if pk == DataType.VARCHAR else {}))
        s.add_field("vec", DataType.FLOAT_VECTOR, dim=8)
        s.add_field("n", DataType.INT32)
        idx = c.prepare_index_params()
        idx.add_index("vec", index_type="HNSW", metric_type="IP", params={"M": 8, "efConstruction": 40})
        c.create_collection(name, schema=s, index_params=idx, consistency_level="Bounded")
        rows = [{"id": (i if pk == DataType.INT64 else f"k{i}"), "vec": rng.standard_normal(8).astype(np.float32).tolist(), "n": i * 7}
                for i in range(args.rows)]
        parts = [p for p in args.partitions.split(",") if p] if name == "docs" else []
        for p in parts:
            c.create_partition(name, p)
        if parts:
            for i, p in enumerate(parts):
                c.insert(name, rows[i::len(parts)], partition_name=p)
        else:
            c.insert(name, rows)
        if loaded:
            c.load_collection(name)
        else:
            c.release_collection(name)
        out[name] = len(rows)
    c.create_alias("docs", "docs_latest")
    print(json.dumps({"collections": out}))


if __name__ == "__main__":
    main()
