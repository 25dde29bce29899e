"""Every collection of the server, milvusdm's helpers included: {"collections": [names]}."""
import argparse
import json
import time

from pymilvus import MilvusClient


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    args = ap.parse_args()
    client = MilvusClient(uri=args.uri, token=args.token)
    print(json.dumps({"collections": sorted(list_collections(client))}))


def list_collections(client, attempts=8):
    """Milvus Lite fails a listing that meets a collection another client is dropping or renaming
    ("collection ... does not exist"); test files share one server, so the listing is asked again."""
    for attempt in range(1, attempts + 1):
        try:
            return client.list_collections()
        except Exception as e:  # noqa: BLE001 - pymilvus raises MilvusException subclasses
            if attempt == attempts or ("not exist" not in str(e) and "not found" not in str(e)):
                raise
            time.sleep(0.1 * attempt)


if __name__ == "__main__":
    main()
