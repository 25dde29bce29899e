"""Writes every row of a collection, as pymilvus returns it (query with output_fields ["*"]:
dynamic keys at the top level, nulls as None), to a JSON file in a normalised form that keeps
types and bits: floats as the hex of their float64 bit pattern, bytes as hex, dicts with sorted
keys, every iterable as a list. verify_h5_rows.py builds the same form from an HDF5 file.
Runs with pymilvus 2.5 and 3. Prints JSON {"rows"}."""
import argparse
import json
import struct

from pymilvus import MilvusClient

PAGE = 16384


def norm(v):
    if isinstance(v, bool):
        return {"bool": v}
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        return {"float": struct.pack("<d", v).hex()}
    if isinstance(v, str):
        return {"str": v}
    if isinstance(v, (bytes, bytearray)):
        return {"bytes": bytes(v).hex()}
    if v is None:
        return None
    if isinstance(v, dict):
        return {"dict": [[str(k), norm(x)] for k, x in sorted(v.items(), key=lambda kv: (str(type(kv[0])), kv[0]))]}
    if hasattr(v, "tolist"):
        return norm(v.tolist())
    return {"list": [norm(x) for x in v]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--collection", required=True)
    ap.add_argument("--pk", default="pk")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    client = MilvusClient(uri=args.uri, token=args.token)
    client.load_collection(args.collection)
    is_int = any(f["name"] == args.pk and "INT64" in str(f["type"]).upper() or str(f["type"]) == "5"
                 for f in client.describe_collection(args.collection)["fields"] if f["name"] == args.pk)
    flt = f"{args.pk} > -9223372036854775808 || {args.pk} == -9223372036854775808" if is_int else f'{args.pk} >= ""'
    keys = [r[args.pk] for r in client.query(args.collection, filter=flt, output_fields=[args.pk], limit=PAGE, consistency_level="Strong")]
    if len(keys) >= PAGE:
        raise SystemExit("dump_collection_rows.py handles collections under 16,384 rows")
    rows = {}
    for s in range(0, len(keys), 400):
        part = keys[s:s + 400]
        lit = ",".join(str(k) if is_int else '"' + k.replace("\\", "\\\\").replace('"', '\\"') + '"' for k in part)
        for r in client.query(args.collection, filter=f"{args.pk} in [{lit}]", output_fields=["*"], limit=PAGE, consistency_level="Strong"):
            rows[json.dumps(norm(r[args.pk]))] = {k: norm(v) for k, v in r.items()}
    with open(args.out, "w") as f:
        json.dump(rows, f)
    print(json.dumps({"rows": len(rows)}))


if __name__ == "__main__":
    main()
