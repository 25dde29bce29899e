"""Counts the rows of one partition in two collections through pymilvus (strong consistency).
Prints JSON {"a", "b"}."""
import argparse
import json

from pymilvus import MilvusClient


def count(client, name, partition):
    # A filter every row passes: Milvus Lite 3.2 ignores partitions when the filter is empty.
    rows = client.query(name, filter="pk < 0 || pk >= 0", output_fields=["count(*)"], partition_names=[partition], consistency_level="Strong")
    return int(rows[0]["count(*)"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--partition", required=True)
    args = ap.parse_args()
    c = MilvusClient(uri=args.uri, token=args.token)
    print(json.dumps({"a": count(c, args.a, args.partition), "b": count(c, args.b, args.partition)}))


if __name__ == "__main__":
    main()
