"""Compares two databases (on one server or two) through pymilvus: the same collection names,
and per collection every row (floats by bit pattern), describe_collection (without names and
ids), every index (type, metric, parameters), each partition's keys, the aliases (from describe_collection: Milvus 2.3
answers ListAliases outside the default database with "collection not found") and the load state.
Prints JSON {"collections", "differences", "ok"}."""
import argparse
import json

from pymilvus import MilvusClient

from compare_rows import norm


def state(c, name):
    d = c.describe_collection(name)
    fields = [{k: (str(v) if k in ("type", "element_type") else v) for k, v in f.items() if k != "field_id"} for f in d["fields"]]
    desc = {k: d.get(k) for k in ("description", "enable_dynamic_field", "auto_id", "num_shards", "consistency_level", "properties")}
    indexes = []
    for i in sorted(c.list_indexes(name)):
        x = c.describe_index(name, i)
        indexes.append({k: str(v) for k, v in x.items() if k not in ("indexed_rows", "pending_index_rows", "state", "total_rows")})
    load = str(c.get_load_state(name)["state"])
    return {"fields": fields, **desc, "indexes": indexes, "aliases": sorted(d.get("aliases") or []),
            "loaded": "Loaded" in load and "NotLoad" not in load}


def rows(c, name, loaded):
    if not loaded:
        c.load_collection(name)
    out = c.query(name, filter="n >= 0", output_fields=["*"], limit=16384, consistency_level="Strong")
    parts = {}
    for p in sorted(c.list_partitions(name)):
        keys = c.query(name, filter="n >= 0", output_fields=["id"], partition_names=[p], limit=16384, consistency_level="Strong")
        parts[p] = sorted(str(r["id"]) for r in keys)
    if not loaded:
        c.release_collection(name)
    return {str(r["id"]): {k: norm(v) for k, v in r.items()} for r in out}, parts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--a", required=True, help="database")
    ap.add_argument("--b", required=True, help="database")
    args = ap.parse_args()
    ca = MilvusClient(uri=args.uri, token=args.token, db_name=args.a)
    cb = MilvusClient(uri=args.uri, token=args.token, db_name=args.b)
    na, nb = sorted(ca.list_collections()), sorted(cb.list_collections())
    diffs = [] if na == nb else [{"collections": {"a": na, "b": nb}}]
    counts = {}
    for name in na:
        if name not in nb:
            continue
        sa, sb = state(ca, name), state(cb, name)
        if sa != sb:
            diffs.append({"collection": name, "a": sa, "b": sb})
        (ra, pa), (rb, pb) = rows(ca, name, sa["loaded"]), rows(cb, name, sb["loaded"])
        counts[name] = [len(ra), len(rb)]
        if pa != pb:
            diffs.append({"collection": name, "partitions differ": {"a": {p: len(k) for p, k in pa.items()}, "b": {p: len(k) for p, k in pb.items()}}})
        if ra != rb:
            diffs.append({"collection": name, "rows differ": sorted(k for k in set(ra) | set(rb) if ra.get(k) != rb.get(k))[:5]})
    print(json.dumps({"collections": counts, "differences": diffs, "ok": not diffs}, default=str))


if __name__ == "__main__":
    main()
