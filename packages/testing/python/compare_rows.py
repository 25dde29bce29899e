"""Compares two collections (on one server or two) row by row through pymilvus: every field of
every row, exact (floats by bit pattern, float16/bfloat16/binary vectors as bytes, sparse vectors
as index/value pairs). Optionally checks the key set against the keys a generator says must be
live (--expected-keys) and compares the two collections' descriptions (--describe). Keys may be
int64 or varchar. Prints JSON {"a", "b", "differences", "repeated", "schema", "ok"}."""
import argparse
import json
import struct

from pymilvus import MilvusClient

PAGE = 16384


def keys_of(client, name, pk, is_int):
    flt = f"{pk} > -4611686018427387904" if is_int else f'{pk} >= ""'
    rows = client.query(name, filter=flt, output_fields=[pk], limit=PAGE, consistency_level="Strong")
    if len(rows) >= PAGE:
        raise SystemExit("compare_rows.py handles collections under 16,384 rows")
    return [r[pk] for r in rows]


def literal(k, is_int):
    return str(k) if is_int else '"' + k.replace("\\", "\\\\").replace('"', '\\"') + '"'


def everything(client, name, pk, is_int):
    keys = keys_of(client, name, pk, is_int)
    out, repeated = {}, len(keys) - len(set(keys))
    uniq = sorted(set(keys))
    for s in range(0, len(uniq), 500):
        lit = "[" + ",".join(literal(k, is_int) for k in uniq[s:s + 500]) + "]"
        # Always with a limit: Milvus 2.3 answers a query without one with fewer rows than it
        # holds keys when keys are duplicated (500 rows, 400 keys: 316 returned).
        for r in client.query(name, filter=f"{pk} in {lit}", output_fields=["*"], limit=PAGE, consistency_level="Strong"):
            if r[pk] in out:
                repeated += 1
            out[r[pk]] = r
    return out, repeated


def norm(v):
    if isinstance(v, float):
        return struct.pack("<d", v).hex()
    if isinstance(v, (bytes, bytearray)):
        return "bytes:" + bytes(v).hex()
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {str(k): norm(x) for k, x in sorted(v.items())}
    if hasattr(v, "tolist"):
        return norm(v.tolist())
    return v


def described(client, name):
    """The description minus what differs between any two collections (names, ids, times)."""
    d = client.describe_collection(name)
    fields = []
    for f in d.get("fields", []):
        f = {k: v for k, v in f.items() if k not in ("field_id",)}
        f["type"] = str(f.get("type"))
        if "element_type" in f:
            f["element_type"] = str(f["element_type"])
        fields.append(f)
    keep = ("description", "enable_dynamic_field", "auto_id", "num_shards", "consistency_level", "num_partitions", "properties", "functions")
    return {"fields": fields, **{k: d.get(k) for k in keep if k in d}}


def prepare(client, name):
    have = set(client.list_indexes(name))
    have_fields = {client.describe_index(name, i)["field_name"] for i in have}
    idx = client.prepare_index_params()
    n = 0
    for f in client.describe_collection(name)["fields"]:
        t = int(f["type"])
        if f["name"] in have_fields or t < 100:
            continue
        kind = {100: ("BIN_FLAT", "HAMMING"), 104: ("SPARSE_INVERTED_INDEX", "IP")}.get(t, ("FLAT", "L2"))
        idx.add_index(f["name"], index_type=kind[0], metric_type=kind[1])
        n += 1
    if n:
        client.create_index(name, idx)
    client.load_collection(name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--uri-b", default="")
    ap.add_argument("--token-b", default="")
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--pk", default="pk")
    ap.add_argument("--expected-keys", default="")
    ap.add_argument("--describe", action="store_true")
    ap.add_argument("--prepare-b", action="store_true", help="index b's unindexed vector fields (FLAT, BIN_FLAT, SPARSE_INVERTED_INDEX) and load it, to read a copy written with index: false")
    args = ap.parse_args()
    ca = MilvusClient(uri=args.uri, token=args.token)
    cb = MilvusClient(uri=args.uri_b, token=args.token_b) if args.uri_b else ca
    if args.prepare_b:
        prepare(cb, args.b)
    pk_type = next(str(f["type"]) for f in ca.describe_collection(args.a)["fields"] if f["name"] == args.pk)
    is_int = "INT64" in pk_type.upper() or pk_type == "5"
    a, rep_a = everything(ca, args.a, args.pk, is_int)
    b, rep_b = everything(cb, args.b, args.pk, is_int)
    diffs = []
    for k in sorted(set(a) | set(b)):
        ra, rb = a.get(k), b.get(k)
        if ra is None or rb is None:
            diffs.append({"pk": k, "why": "missing in " + ("a" if ra is None else "b")})
        else:
            na = {f: norm(v) for f, v in ra.items()}
            nb = {f: norm(v) for f, v in rb.items()}
            if na != nb:
                fields = sorted(f for f in set(na) | set(nb) if na.get(f) != nb.get(f))
                diffs.append({"pk": k, "why": "fields differ", "fields": fields, "a": {f: na.get(f) for f in fields}, "b": {f: nb.get(f) for f in fields}})
        if len(diffs) >= 5:
            break
    result = {"a": len(a), "b": len(b), "repeated": rep_a + rep_b, "differences": diffs}
    ok = not diffs and len(a) == len(b) and rep_b == 0
    if args.expected_keys:
        with open(args.expected_keys) as f:
            want = set(json.load(f))
        result["expected"] = len(want)
        result["unexpected_in_b"] = len(set(b) - want)
        result["missing_in_b"] = len(want - set(b))
        ok = ok and set(b) == want
    if args.describe:
        da, db = described(ca, args.a), described(cb, args.b)
        result["schema"] = {"a": da, "b": db, "equal": da == db}
        ok = ok and da == db
    result["ok"] = ok
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
