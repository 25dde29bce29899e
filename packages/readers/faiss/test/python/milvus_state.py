"""Does a collection exist on a Milvus server, and how many rows does it hold? (pymilvus)

Prints one JSON line: {"exists": bool, "rows": int | null}.
"""
import argparse
import json

from pymilvus import MilvusClient


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--collection", required=True)
    ap.add_argument("--token", default="")
    args = ap.parse_args()
    client = MilvusClient(uri=args.uri, token=args.token)
    if not client.has_collection(args.collection):
        print(json.dumps({"exists": False, "rows": None}))
        return
    client.load_collection(args.collection)
    rows = client.query(args.collection, filter="", output_fields=["count(*)"], consistency_level="Strong")[0]["count(*)"]
    print(json.dumps({"exists": True, "rows": int(rows)}))


if __name__ == "__main__":
    main()
