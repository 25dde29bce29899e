"""Builds a small collection around one property under test, through pymilvus (2.5 or 3):
an int64 key "id", one vector field (float "vec" with HNSW/COSINE, or binary "bin" with
BIN_FLAT/HAMMING), int32 "n", double "d", varchar "t"; optionally scalar indexes
(--scalar-index n:STL_SORT,t:Trie, each named FIELD_idx), mmap (--mmap: the collection
property mmap.enabled; --field-mmap: on for "vec"/"bin" and "t", off for "n"), a clustering key
on "n". Rows carry each type's edges. Loads it. Prints JSON {"rows"}."""
import argparse
import json

import numpy as np
from pymilvus import DataType, MilvusClient


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--collection", required=True)
    ap.add_argument("--rows", type=int, default=300)
    ap.add_argument("--vector", choices=["float", "binary"], default="float")
    ap.add_argument("--scalar-index", default="", help="FIELD:TYPE,… e.g. n:STL_SORT,d:STL_SORT,t:Trie")
    ap.add_argument("--mmap", action="store_true", help="the collection property mmap.enabled")
    ap.add_argument("--field-mmap", action="store_true", help="field-level mmap")
    ap.add_argument("--clustering-key", action="store_true", help='"n" is the clustering key')
    args = ap.parse_args()
    rng = np.random.default_rng(11)
    c = MilvusClient(uri=args.uri, token=args.token)
    s = c.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field("id", DataType.INT64, is_primary=True)
    mm = (lambda on: {"mmap_enabled": on}) if args.field_mmap else (lambda on: {})
    vec = "vec" if args.vector == "float" else "bin"
    if args.vector == "float":
        s.add_field("vec", DataType.FLOAT_VECTOR, dim=8, **mm(True))
    else:
        s.add_field("bin", DataType.BINARY_VECTOR, dim=64, **mm(True))
    s.add_field("n", DataType.INT32, **mm(False), **({"is_clustering_key": True} if args.clustering_key else {}))
    s.add_field("d", DataType.DOUBLE)
    s.add_field("t", DataType.VARCHAR, max_length=40, **mm(True))
    idx = c.prepare_index_params()
    if args.vector == "float":
        idx.add_index("vec", index_type="HNSW", metric_type="COSINE", params={"M": 8, "efConstruction": 64})
    else:
        idx.add_index("bin", index_type="BIN_FLAT", metric_type="HAMMING")
    for spec in [x for x in args.scalar_index.split(",") if x]:
        field, kind = spec.split(":")
        idx.add_index(field, index_type=kind, index_name=f"{field}_idx")
    c.create_collection(args.collection, schema=s, index_params=idx, consistency_level="Strong",
                        **({"properties": {"mmap.enabled": "true"}} if args.mmap else {}))
    edges_n = [-(2**31), 2**31 - 1, 0]
    edges_d = [5e-324, -0.0, 1.7976931348623157e308]
    rows = []
    for i in rng.permutation(args.rows):
        i = int(i)
        r = {"id": i * 7 - 1000, "n": edges_n[i % 3] if i < 9 else int(rng.integers(-2**31, 2**31)),
             "d": edges_d[i % 3] if i < 9 else float(rng.standard_normal() * 1e6), "t": ["", "ü😀", f"row {i}", '"\\'][i % 4]}
        if args.vector == "float":
            r["vec"] = rng.standard_normal(8).astype(np.float32).tolist()
        else:
            r["bin"] = rng.integers(0, 256, size=8, dtype=np.uint8).tobytes()
        rows.append(r)
    for k in range(0, len(rows), 100):
        c.insert(args.collection, rows[k:k + 100])
    c.load_collection(args.collection)
    print(json.dumps({"rows": len(rows), "vector": vec}))


if __name__ == "__main__":
    main()
