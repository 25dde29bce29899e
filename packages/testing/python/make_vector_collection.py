"""Builds a collection through pymilvus with one field per requested vector type (float16,
bfloat16, sparse, binary, float), an int64 or varchar key inserted in shuffled order, a scalar
column, and optionally partitions, upserts, deletes and duplicated keys. Vector values are raw
random bit patterns (every finite float16/bfloat16, subnormals included), so a copy that goes
through a float conversion anywhere shows. Writes the keys that must survive (live, once each)
to --expected-keys. Prints JSON {"rows", "live", "deleted", "upserted", "duplicated"}.

Runs with pymilvus 2.5 (Milvus Lite 2.5.1) and pymilvus 3 (Milvus Lite 3.2, Milvus 2.3)."""
import argparse
import json

import numpy as np
from pymilvus import DataType, MilvusClient

FIELDS = {
    "float": ("fv", DataType.FLOAT_VECTOR, "FLAT", "L2"),
    "float16": ("f16", DataType.FLOAT16_VECTOR, "FLAT", "L2"),
    "bfloat16": ("bf16", DataType.BFLOAT16_VECTOR, "FLAT", "IP"),
    "sparse": ("sparse", DataType.SPARSE_FLOAT_VECTOR, "SPARSE_INVERTED_INDEX", "IP"),
    "binary": ("bin", DataType.BINARY_VECTOR, "BIN_FLAT", "HAMMING"),
}


def finite_half(rng, n):
    """Random 16-bit float patterns (float16 or bfloat16) with inf/NaN turned finite: where the
    exponent bits are all ones, flipping bit 14 (an exponent bit in both layouts) clears one."""
    bits = rng.integers(0, 1 << 16, size=n, dtype=np.uint32).astype(np.uint16)
    return bits, np.uint16(0x4000)


def vector(rng, kind, dim):
    if kind == "float":
        return rng.standard_normal(dim).astype(np.float32).tolist()
    if kind in ("float16", "bfloat16"):
        bits, flip = finite_half(rng, dim)
        exp = np.uint16(0x7C00 if kind == "float16" else 0x7F80)
        bits[(bits & exp) == exp] ^= flip
        return bits.tobytes()
    if kind == "binary":
        return rng.integers(0, 256, size=dim // 8, dtype=np.uint8).tobytes()
    if kind == "sparse":
        n = int(rng.integers(1, 12))
        idx = sorted(set(int(i) for i in rng.integers(0, 2**32 - 1, size=n, dtype=np.uint64)))
        return {i: float(np.float32(rng.random() * 10 + 1e-6)) for i in idx}
    raise SystemExit(f"unknown vector type {kind}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--collection", required=True)
    ap.add_argument("--types", default="float")
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--dim", type=int, default=16)
    ap.add_argument("--pk", choices=["int64", "varchar"], default="int64")
    ap.add_argument("--partitions", default="", help="comma-separated; rows spread over them")
    ap.add_argument("--upsert-fraction", type=float, default=0.0)
    ap.add_argument("--delete-fraction", type=float, default=0.0)
    ap.add_argument("--duplicate-fraction", type=float, default=0.0, help="rows inserted a second time with the same key")
    ap.add_argument("--batch", type=int, default=250)
    ap.add_argument("--max-key", action="store_true", help="also insert a row whose key is 2^63-1 (int64 keys)")
    ap.add_argument("--no-load", action="store_true")
    ap.add_argument("--expected-keys", default="")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--index", default="", help="index type for every vector field instead of the type's own (e.g. AUTOINDEX, HNSW)")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    kinds = [k for k in args.types.split(",") if k]
    client = MilvusClient(uri=args.uri, token=args.token)
    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    if args.pk == "int64":
        schema.add_field("pk", DataType.INT64, is_primary=True)
    else:
        schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=64)
    for kind in kinds:
        name, dtype, _, _ = FIELDS[kind]
        if kind == "sparse":
            schema.add_field(name, dtype)
        else:
            schema.add_field(name, dtype, dim=args.dim)
    schema.add_field("n", DataType.INT32)
    index = client.prepare_index_params()
    for kind in kinds:
        name, _, index_type, metric = FIELDS[kind]
        index.add_index(name, index_type=args.index or index_type, metric_type=metric)
    client.create_collection(args.collection, schema=schema, index_params=index, consistency_level="Strong")
    parts = [p for p in args.partitions.split(",") if p]
    for p in parts:
        client.create_partition(args.collection, p)

    def key(i):
        return int(i) * 7919 - 2**40 if args.pk == "int64" else f"k{int(i):07d}"

    def row(i):
        r = {"pk": key(i), "n": int(rng.integers(-2**31, 2**31))}
        for kind in kinds:
            r[FIELDS[kind][0]] = vector(rng, kind, args.dim)
        return r

    def part_of(i):
        return parts[int(i) % len(parts)] if parts else None

    def write(rows_by_part, op):
        for p, rows in rows_by_part.items():
            for s in range(0, len(rows), args.batch):
                kw = {"partition_name": p} if p else {}
                getattr(client, op)(args.collection, rows[s:s + args.batch], **kw)

    def grouped(ids):
        out = {}
        for i in ids:
            out.setdefault(part_of(i), []).append(row(i))
        return out

    order = rng.permutation(args.rows)
    write(grouped(order), "insert")
    if args.max_key:
        extra = row(0)
        extra["pk"] = 2**63 - 1
        client.insert(args.collection, [extra])
    upserted = rng.choice(args.rows, size=int(args.rows * args.upsert_fraction), replace=False)
    write(grouped(upserted), "upsert")
    duplicated = rng.choice(args.rows, size=int(args.rows * args.duplicate_fraction), replace=False)
    write(grouped(duplicated), "insert")
    deleted = rng.choice(args.rows, size=int(args.rows * args.delete_fraction), replace=False)
    # Deletes go through each partition that holds the rows, as an application would.
    by_part = {}
    for i in deleted:
        by_part.setdefault(part_of(i), []).append(key(i))
    for p, keys in by_part.items():
        kw = {"partition_name": p} if p else {}
        for s in range(0, len(keys), args.batch):
            client.delete(args.collection, ids=keys[s:s + args.batch], **kw)
    if not args.no_load:
        client.load_collection(args.collection)
    live = sorted(set(int(i) for i in range(args.rows)) - set(int(i) for i in deleted))
    if args.expected_keys:
        with open(args.expected_keys, "w") as f:
            json.dump([key(i) for i in live], f)
    print(json.dumps({"rows": args.rows, "live": len(live), "deleted": len(deleted), "upserted": len(upserted), "duplicated": len(duplicated)}))


if __name__ == "__main__":
    main()
