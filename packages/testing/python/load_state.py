"""Prints the load state of collections as JSON {name: "Loaded" | "NotLoad" | ...}."""
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
    print(json.dumps({c: str(client.get_load_state(c)["state"]).split(".")[-1] for c in args.collections}))


if __name__ == "__main__":
    main()
