"""Every collection of the server, milvusdm's helpers included: {"collections": [names]}."""
import argparse
import json

from pymilvus import MilvusClient


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    args = ap.parse_args()
    client = MilvusClient(uri=args.uri, token=args.token)
    print(json.dumps({"collections": sorted(client.list_collections())}))


if __name__ == "__main__":
    main()
