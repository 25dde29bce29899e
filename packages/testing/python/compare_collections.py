"""Compares two collections through pymilvus, exactly: the schemas (every field's type and
parameters), the partitions, count(*) of the collection and of each partition, that no key is
stored twice, and every field of every row of every partition (floats by bit pattern, with the
Python type of each value, so 1, 1.0 and True differ). Prints JSON {"a", "b", "differences", "ok"}
where "a" and "b" are the count(*) of each collection.

A copy that duplicated rows, dropped one, moved one to another partition or changed a field's
type fails here. Meant for test-sized collections (under 16,384 rows per partition).
"""
import argparse
import json
import struct

from pymilvus import MilvusClient

LIMIT = 16384
INT64_MIN = -(2**63)


def schema_of(client, name):
    d = client.describe_collection(name)
    fields = {}
    for f in d["fields"]:
        params = {k: v for k, v in (f.get("params") or {}).items()}
        fields[f["name"]] = {
            "type": getattr(f["type"], "name", str(f["type"])),
            "params": params,
            "element_type": getattr(f.get("element_type"), "name", f.get("element_type")),
            "primary": bool(f.get("is_primary")),
            "auto_id": bool(f.get("auto_id")),
            "nullable": bool(f.get("nullable")),
        }
    return {"fields": fields, "dynamic": bool(d.get("enable_dynamic_field"))}


def key_info(schema):
    for name, f in schema["fields"].items():
        if f["primary"]:
            return name, f["type"] == "VARCHAR"
    raise SystemExit("no primary key")


def every(pk, varchar):
    # Milvus Lite 3.2 ignores partition_names when counting with an empty filter.
    return f'{pk} >= ""' if varchar else f"{pk} < 0 || {pk} >= 0"


def count(client, name, pk, varchar, partition):
    return int(client.query(name, filter=every(pk, varchar), output_fields=["count(*)"], partition_names=[partition],
                            consistency_level="Strong")[0]["count(*)"])


def literal(k):
    return '"' + k.replace("\\", "\\\\").replace('"', '\\"') + '"' if isinstance(k, str) else str(k)


def rows_of(client, name, pk, varchar, partition):
    """Every row of one partition, fetched by key; also the keys as listed (to see repeats)."""
    listed = [r[pk] for r in client.query(name, filter=every(pk, varchar), output_fields=[pk], partition_names=[partition],
                                          limit=LIMIT, consistency_level="Strong")]
    if len(listed) >= LIMIT:
        raise SystemExit("compare_collections.py handles partitions under 16,384 rows")
    distinct = sorted(set(listed), key=lambda k: (str(type(k)), k))
    fetched = []
    plain = [k for k in distinct if k != INT64_MIN]
    filters = [f"{pk} in [" + ",".join(literal(k) for k in plain[s:s + 500]) + "]" for s in range(0, len(plain), 500)]
    if len(plain) < len(distinct):
        # Milvus 2.3 cannot parse the literal -2^63 in a list.
        filters.append(f"{pk} < {INT64_MIN + 1}")
    for flt in filters:
        fetched.extend(client.query(name, filter=flt, output_fields=["*"], partition_names=[partition], limit=LIMIT,
                                    consistency_level="Strong"))
    return listed, fetched


def norm(v):
    """A value with its type, floats as their bit pattern."""
    if isinstance(v, bool):
        return ["bool", v]
    if isinstance(v, float):
        return ["float", struct.pack("<d", v).hex()]
    if isinstance(v, int):
        return ["int", v]
    if isinstance(v, (bytes, bytearray)):
        return ["bytes", bytes(v).hex()]
    if isinstance(v, list):
        return ["list", [norm(x) for x in v]]
    if isinstance(v, dict):
        return ["dict", {str(k): norm(x) for k, x in sorted(v.items(), key=lambda kv: str(kv[0]))}]
    if hasattr(v, "tolist"):
        return norm(v.tolist())
    if v is None:
        return ["none"]
    return [type(v).__name__, str(v)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    args = ap.parse_args()
    client = MilvusClient(uri=args.uri, token=args.token)
    diffs = []
    sa, sb = schema_of(client, args.a), schema_of(client, args.b)
    for f in sorted(set(sa["fields"]) | set(sb["fields"])):
        if sa["fields"].get(f) != sb["fields"].get(f):
            diffs.append({"field": f, "why": "schema differs", "a": sa["fields"].get(f), "b": sb["fields"].get(f)})
    if sa["dynamic"] != sb["dynamic"]:
        diffs.append({"why": "dynamic field setting differs", "a": sa["dynamic"], "b": sb["dynamic"]})
    pk, varchar = key_info(sa)
    pa, pb = sorted(client.list_partitions(args.a)), sorted(client.list_partitions(args.b))
    if pa != pb:
        diffs.append({"why": "partitions differ", "a": pa, "b": pb})
    for c in (args.a, args.b):
        client.load_collection(c)
    totals = {"a": 0, "b": 0}
    for p in sorted(set(pa) & set(pb)):
        side = {}
        for tag, name in (("a", args.a), ("b", args.b)):
            counted = count(client, name, pk, varchar, p)
            totals[tag] += counted
            listed, fetched = rows_of(client, name, pk, varchar, p)
            by_key = {}
            for r in fetched:
                by_key.setdefault(r[pk], []).append(r)
            repeated = [k for k, rs in by_key.items() if len(rs) > 1]
            if repeated or len(listed) != len(set(listed)) or counted != len(by_key):
                diffs.append({"collection": tag, "partition": p, "why": "keys stored more than once or count(*) differs from the rows returned",
                              "count": counted, "listed": len(listed), "distinct": len(by_key), "repeated": [str(k) for k in repeated[:5]]})
            side[tag] = (counted, by_key)
        (ca, ra), (cb, rb) = side["a"], side["b"]
        if ca != cb:
            diffs.append({"partition": p, "why": "count(*) differs", "a": ca, "b": cb})
        for k in sorted(set(ra) | set(rb), key=lambda k: (str(type(k)), k)):
            xa, xb = ra.get(k), rb.get(k)
            if xa is None or xb is None:
                diffs.append({"partition": p, "pk": k, "why": "missing in " + ("a" if xa is None else "b")})
            else:
                na = {f: norm(v) for f, v in xa[0].items()}
                nb = {f: norm(v) for f, v in xb[0].items()}
                if na != nb:
                    fields = sorted(f for f in set(na) | set(nb) if na.get(f) != nb.get(f))
                    diffs.append({"partition": p, "pk": k, "why": "fields differ", "fields": fields,
                                  "a": {f: xa[0].get(f) for f in fields}, "b": {f: xb[0].get(f) for f in fields}})
            if len(diffs) >= 10:
                break
    print(json.dumps({"a": totals["a"], "b": totals["b"], "differences": diffs[:10], "ok": not diffs}, default=str))


if __name__ == "__main__":
    main()
