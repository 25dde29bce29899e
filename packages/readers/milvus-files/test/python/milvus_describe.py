"""Describes a Milvus collection through pymilvus: whether it exists, its fields (type, dim),
its partitions with their row counts and the metric of its vector index.
Prints JSON {"exists", "fields", "partitions": {name: rows}, "metric"}.
"""
import argparse
import json

from pymilvus import DataType, MilvusClient


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--collection", required=True)
    args = ap.parse_args()
    client = MilvusClient(uri=args.uri, token=args.token)
    if not client.has_collection(args.collection):
        print(json.dumps({"exists": False}))
        return
    info = client.describe_collection(args.collection)
    fields = []
    for f in info["fields"]:
        params = f.get("params") or {}
        kind = f["type"]
        kind = kind.name if isinstance(kind, DataType) else DataType(int(kind)).name
        fields.append({"name": f["name"], "type": kind, "dim": int(params["dim"]) if "dim" in params else None,
                       "primary": bool(f.get("is_primary")), "auto_id": bool(f.get("auto_id"))})
    metric = None
    for name in client.list_indexes(args.collection):
        metric = client.describe_index(args.collection, name).get("metric_type")
    client.load_collection(args.collection)
    key = next(f["name"] for f in fields if f["primary"])
    partitions = {}
    for p in client.list_partitions(args.collection):
        # Milvus Lite 3.2 ignores partition_names when counting with an empty filter.
        partitions[p] = client.query(args.collection, filter=f"{key} < 0 || {key} >= 0", output_fields=["count(*)"],
                                     partition_names=[p], consistency_level="Strong")[0]["count(*)"]
    print(json.dumps({"exists": True, "fields": fields, "partitions": partitions, "metric": metric}))


if __name__ == "__main__":
    main()
