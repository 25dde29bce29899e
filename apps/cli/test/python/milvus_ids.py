"""Prints N ids of a collection (pymilvus), as decimal strings: {"ids": [...]}. Args: URI TOKEN COLLECTION N."""
import json
import sys

from pymilvus import MilvusClient

client = MilvusClient(uri=sys.argv[1], token=sys.argv[2])
client.load_collection(sys.argv[3])
rows = client.query(sys.argv[3], filter="id >= -9223372036854775807", output_fields=["id"], limit=int(sys.argv[4]), consistency_level="Strong")
print(json.dumps({"ids": [str(r["id"]) for r in rows]}))
