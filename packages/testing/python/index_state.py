"""What a collection holds without loading it (an unindexed collection cannot be loaded on
Milvus 2.3): its indexes, its row count from the server's statistics after a flush, and its
load state. Prints JSON {"indexes": [names], "rows": n, "loaded": bool}."""
import argparse
import json

from pymilvus import Collection, MilvusClient, connections


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--collection", required=True)
    args = ap.parse_args()
    c = MilvusClient(uri=args.uri, token=args.token)
    indexes = sorted(c.list_indexes(args.collection))
    connections.connect(alias="stats", uri=args.uri, token=args.token)
    coll = Collection(args.collection, using="stats")
    coll.flush()
    load = str(c.get_load_state(args.collection)["state"])
    print(json.dumps({"indexes": indexes, "rows": coll.num_entities, "loaded": "Loaded" in load and "NotLoad" not in load}))


if __name__ == "__main__":
    main()
