"""Builds a collection with every field type Milvus Lite 2.5.1 stores, through pymilvus 2.5:
an int64 or varchar key; bool, int8, int16, int32, int64, float, double and varchar scalars;
JSON; an array of each element type; nullable fields (with nulls, and with default values);
dynamic fields; float, binary, float16, bfloat16 and sparse vectors (several vector fields).
Values carry the edges of each type: int64 extremes, float16/bfloat16 raw bit patterns
(subnormals included), -0.0, strings outside the BMP, empty arrays, empty JSON objects. Rows
are inserted in shuffled key order. Prints JSON {"rows"}."""
import argparse
import json

import numpy as np
from pymilvus import DataType, MilvusClient

ELEMENTS = [("a_bool", DataType.BOOL), ("a_i8", DataType.INT8), ("a_i16", DataType.INT16), ("a_i32", DataType.INT32),
            ("a_i64", DataType.INT64), ("a_f", DataType.FLOAT), ("a_d", DataType.DOUBLE), ("a_s", DataType.VARCHAR)]


def half_bits(rng, n, exp):
    bits = rng.integers(0, 1 << 16, size=n, dtype=np.uint32).astype(np.uint16)
    bits[(bits & exp) == exp] ^= np.uint16(0x4000)  # no inf/NaN: Milvus refuses them
    return bits.tobytes()


def element(rng, dtype, i, j):
    if dtype == DataType.BOOL:
        return bool((i + j) % 2)
    if dtype == DataType.INT8:
        return [-128, 127, i % 100, -j][j % 4]
    if dtype == DataType.INT16:
        return [-32768, 32767, i, -j][j % 4]
    if dtype == DataType.INT32:
        return [-(2**31), 2**31 - 1, i * 1000, -j][j % 4]
    if dtype == DataType.INT64:
        return [-(2**63), 2**63 - 1, i * 10**12 + 1, -j][j % 4]
    if dtype == DataType.FLOAT:
        return float(np.float32(rng.standard_normal() * 1e3)) if j % 3 else -0.0
    if dtype == DataType.DOUBLE:
        return float(rng.standard_normal() * 1e300) if j % 3 else 5e-324
    return ["", "ü😀", f"s{i}-{j}", '"\\'][j % 4]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--collection", required=True)
    ap.add_argument("--rows", type=int, default=600)
    ap.add_argument("--dim", type=int, default=8)
    ap.add_argument("--pk", choices=["int64", "varchar"], default="varchar")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--vectors", default="fv,bin,f16,bf16,sparse", help="vector fields to make (Milvus Lite 3.2: fv only)")
    ap.add_argument("--no-nullable", action="store_true", help="no nullable fields (Milvus Lite 2.5.1 refuses them)")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    client = MilvusClient(uri=args.uri, token=args.token)
    schema = client.create_schema(auto_id=False, enable_dynamic_field=True, description="every field type")
    if args.pk == "int64":
        schema.add_field("pk", DataType.INT64, is_primary=True, description="the key")
    else:
        schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=64, description="the key")
    d = args.dim
    vectors = [v for v in args.vectors.split(",") if v]
    nullable = not args.no_nullable
    if "fv" in vectors:
        schema.add_field("fv", DataType.FLOAT_VECTOR, dim=d, description="float vectors")
    if "bin" in vectors:
        schema.add_field("bin", DataType.BINARY_VECTOR, dim=d * 2)
    if "f16" in vectors:
        schema.add_field("f16", DataType.FLOAT16_VECTOR, dim=d)
    if "bf16" in vectors:
        schema.add_field("bf16", DataType.BFLOAT16_VECTOR, dim=d)
    if "sparse" in vectors:
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    if "fv2" in vectors:
        schema.add_field("fv2", DataType.FLOAT_VECTOR, dim=d + 1)
    schema.add_field("b", DataType.BOOL)
    schema.add_field("i8", DataType.INT8)
    schema.add_field("i16", DataType.INT16)
    schema.add_field("i32", DataType.INT32)
    schema.add_field("i64", DataType.INT64)
    schema.add_field("f", DataType.FLOAT)
    schema.add_field("d", DataType.DOUBLE)
    schema.add_field("title", DataType.VARCHAR, max_length=200, description="a title")
    schema.add_field("meta", DataType.JSON)
    for name, dtype in ELEMENTS:
        extra = {"max_length": 20} if dtype == DataType.VARCHAR else {}
        schema.add_field(name, DataType.ARRAY, element_type=dtype, max_capacity=6, **extra)
    if nullable:
        schema.add_field("n_i32", DataType.INT32, nullable=True)
        schema.add_field("n_i64", DataType.INT64, nullable=True, default_value=2**60 + 1)
        schema.add_field("n_d", DataType.DOUBLE, nullable=True, default_value=1.5)
        schema.add_field("n_s", DataType.VARCHAR, max_length=30, nullable=True, default_value="none")
        schema.add_field("n_json", DataType.JSON, nullable=True)
        schema.add_field("n_arr", DataType.ARRAY, element_type=DataType.INT64, max_capacity=4, nullable=True)
        schema.add_field("dflt", DataType.INT16, default_value=-7)
    index = client.prepare_index_params()
    kinds = {"fv": ("FLAT", "COSINE"), "fv2": ("FLAT", "L2"), "bin": ("BIN_FLAT", "HAMMING"), "f16": ("FLAT", "L2"),
             "bf16": ("FLAT", "IP"), "sparse": ("SPARSE_INVERTED_INDEX", "IP")}
    for v in vectors:
        index.add_index(v, index_type=kinds[v][0], metric_type=kinds[v][1])
    client.create_collection(args.collection, schema=schema, index_params=index, consistency_level="Strong")
    rows = []
    for i in (int(x) for x in rng.permutation(args.rows)):
        key = i * 7919 - 2**40 if args.pk == "int64" else f"k{i:05d}" + ("\uFF5E" if i % 7 == 0 else "") + ("\U0001F600" if i % 11 == 0 else "")
        fv = rng.standard_normal(d).astype(np.float32)
        fv[0] = -0.0 if i % 5 == 0 else fv[0]
        n_sparse = int(rng.integers(1, 8))
        idx = sorted(set(int(x) for x in rng.integers(0, 2**32 - 1, size=n_sparse, dtype=np.uint64)))
        made = {
            "fv": fv.tolist(),
            "fv2": rng.standard_normal(d + 1).astype(np.float32).tolist(),
            "bin": rng.integers(0, 256, size=d * 2 // 8, dtype=np.uint8).tobytes(),
            "f16": half_bits(rng, d, np.uint16(0x7C00)),
            "bf16": half_bits(rng, d, np.uint16(0x7F80)),
            "sparse": {k: float(np.float32(rng.random() * 10 + 1e-6)) for k in idx},
        }
        row = {
            "pk": key,
            "b": bool(i % 2),
            "i8": [-128, 127, i % 128][i % 3],
            "i16": [-32768, 32767, i][i % 3],
            "i32": int(rng.integers(-2**31, 2**31)),
            "i64": [-(2**63), 2**63 - 1, int(rng.integers(-2**62, 2**62)) * 2 + 1][i % 3],
            "f": float(np.float32(rng.standard_normal())) if i % 4 else -0.0,
            "d": float(rng.standard_normal() * 1e-300) if i % 3 else 5e-324,
            "title": "" if i % 9 == 0 else f"title «{i}» with ünïcode 😀 \"quoted\" \\",
            "meta": {} if i % 6 == 0 else {"i": i, "nested": {"list": [1, 2.5, i], "s": "x" * (i % 5)}, "null": None, "u": "ü"},
            **{v: made[v] for v in vectors},
            "n_i32": None if i % 3 == 0 else i,
            "n_i64": None if i % 4 == 0 else -i,
            "n_d": None if i % 5 == 0 else i / 7,
            "n_s": None if i % 2 == 0 else f"s{i}",
            "n_json": None if i % 3 == 1 else {"k": [i, {"deep": True}]},
            "n_arr": None if i % 4 == 1 else [i, -i][: i % 3],
        }
        for name, dtype in ELEMENTS:
            row[name] = [element(rng, dtype, i, j) for j in range(i % 7)]
        if not nullable:
            for k in ("n_i32", "n_i64", "n_d", "n_s", "n_json", "n_arr"):
                del row[k]
        elif i % 5 != 0:
            row["dflt"] = i % 300
        if i % 4 == 0:
            row["extra"] = f"dyn-{i}"
        if i % 6 == 1:
            row["extra_num"] = {"n": i, "f": 0.5}
        rows.append(row)
    for s in range(0, len(rows), 200):
        client.insert(args.collection, rows[s:s + 200])
    client.load_collection(args.collection)
    print(json.dumps({"rows": len(rows)}))


if __name__ == "__main__":
    main()
