"""Prints what a Milvus server holds for the named collections, as JSON
{name: {"exists": bool, "partitions": [...], "rows": n}} (rows counted with count(*), Strong)."""
import argparse
import json

from pymilvus import MilvusClient


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("collections", nargs="+")
    args = ap.parse_args()
    client = MilvusClient(uri=args.uri, token=args.token)
    out = {}
    for name in args.collections:
        if not client.has_collection(name):
            out[name] = {"exists": False}
            continue
        client.load_collection(name)
        rows = client.query(name, filter="", output_fields=["count(*)"], consistency_level="Strong")[0]["count(*)"]
        out[name] = {"exists": True, "partitions": sorted(client.list_partitions(name)), "rows": rows}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
