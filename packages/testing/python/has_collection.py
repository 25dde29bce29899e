"""Whether a collection exists: {"exists": bool}."""
import argparse
import json

from pymilvus import MilvusClient


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--collection", required=True)
    args = ap.parse_args()
    client = MilvusClient(uri=args.uri, token=args.token)
    print(json.dumps({"exists": client.has_collection(args.collection)}))


if __name__ == "__main__":
    main()
