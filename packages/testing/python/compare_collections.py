"""Compares two collections row by row through pymilvus: every field of every row, exact
(floats by bit pattern). Prints JSON {"a", "b", "differences", "ok"}."""
import argparse
import json
import struct

from pymilvus import MilvusClient


def everything(client, name, pk):
    """Every row, fetched by key. Meant for test-sized collections (under 16,384 rows)."""
    keys = [r[pk] for r in client.query(name, filter=f'{pk} >= ""', output_fields=[pk], limit=16384, consistency_level="Strong")]
    if len(keys) >= 16384:
        raise SystemExit("compare_collections.py handles collections under 16,384 rows")
    out = {}
    for s in range(0, len(keys), 500):
        chunk = keys[s:s + 500]
        lit = "[" + ",".join('"' + k.replace("\\", "\\\\").replace('"', '\\"') + '"' for k in chunk) + "]"
        for r in client.query(name, filter=f"{pk} in {lit}", output_fields=["*"], consistency_level="Strong"):
            out[r[pk]] = r
    return out


def norm(v):
    if isinstance(v, float):
        return struct.pack("<d", v).hex()
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if hasattr(v, "tolist"):
        return norm(v.tolist())
    return v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--pk", default="pk")
    args = ap.parse_args()
    client = MilvusClient(uri=args.uri, token=args.token)
    a = everything(client, args.a, args.pk)
    b = everything(client, args.b, args.pk)
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
                diffs.append({"pk": k, "why": "fields differ", "fields": fields, "a": {f: ra.get(f) for f in fields}, "b": {f: rb.get(f) for f in fields}})
        if len(diffs) >= 5:
            break
    print(json.dumps({"a": len(a), "b": len(b), "differences": diffs, "ok": not diffs and len(a) == len(b)}, default=str))


if __name__ == "__main__":
    main()
