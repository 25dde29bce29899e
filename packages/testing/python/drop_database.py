"""Drops a database whole: its aliases, its collections, then the database. Prints JSON {"dropped": [collections]}."""
import argparse
import json

from pymilvus import MilvusClient


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--database", required=True)
    args = ap.parse_args()
    c = MilvusClient(uri=args.uri, token=args.token, db_name=args.database)
    names = sorted(c.list_collections())
    for name in names:
        # Milvus 2.3 answers ListAliases outside the default database with "collection not found".
        for alias in c.describe_collection(name).get("aliases") or []:
            c.drop_alias(alias)
        c.drop_collection(name)
    MilvusClient(uri=args.uri, token=args.token).drop_database(args.database)
    print(json.dumps({"dropped": names}))


if __name__ == "__main__":
    main()
