"""Test helper (pymilvus): --collection C --alias A creates an alias; --rename OLD NEW renames."""
import argparse
import json

from pymilvus import MilvusClient

ap = argparse.ArgumentParser()
ap.add_argument("--uri", required=True)
ap.add_argument("--token", default="")
ap.add_argument("--collection")
ap.add_argument("--alias")
ap.add_argument("--rename", nargs=2)
args = ap.parse_args()
client = MilvusClient(uri=args.uri, token=args.token)
if args.alias:
    client.create_alias(args.collection, args.alias)
if args.rename:
    client.rename_collection(args.rename[0], args.rename[1])
print(json.dumps({"ok": True}))
