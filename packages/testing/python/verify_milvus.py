"""Independent check of a Milvus collection (or partition) against expected rows from HDF5 files.

Reads the expected ids and vectors with h5py, counts the target's rows and fetches every
expected id through pymilvus, then compares ids and the bit patterns of the vectors.
With --autoid (the server assigned the ids: the file has none, or they were not kept), every
row of the target is fetched instead and the vectors are compared as a multiset, bit for bit:
each expected vector stored exactly as many times as the source holds it, nothing else.
Prints one JSON document: {"expected", "counted", "fetched", "mismatches", "ok"}.
"""
import argparse
import json

import h5py
import numpy as np
from pymilvus import MilvusClient


def expected_rows(paths, vectors_name, ids_name, binary, with_ids=True):
    ids, vecs = [], []
    for p in paths:
        with h5py.File(p, "r") as f:
            v = f[vectors_name]
            if v.dtype.kind == "S":
                # Fixed-length byte strings: keep every byte, NULs included.
                # View the fixed-length strings as bytes: numpy's bytes items drop trailing NULs.
                raw = np.asarray(v[()])
                arr = raw.view(np.uint8).reshape(len(raw), v.dtype.itemsize)
            elif binary:
                arr = np.asarray(v[()], dtype=np.uint8)
            else:
                arr = np.asarray(v[()]).astype(np.float32)
            vecs.append(arr)
            if with_ids:
                ids.append(np.asarray(f[ids_name][()], dtype=np.int64).reshape(-1))
            else:
                ids.append(np.zeros(len(arr), dtype=np.int64))
    return np.concatenate(ids), np.concatenate(vecs)


def vector_bytes(value, binary):
    if binary:
        return bytes(value[0] if isinstance(value, list) else value)
    return np.asarray(value, dtype=np.float32).tobytes()


def verify_autoid(client, args, partitions, counted, vecs):
    """Every row of the target (test-sized: under 16,384), its vectors as a multiset."""
    every = f"{args.id_field} < 0 || {args.id_field} >= 0"
    keys = [int(r[args.id_field]) for r in client.query(args.collection, filter=every, output_fields=[args.id_field],
                                                         partition_names=partitions, limit=16384, consistency_level="Strong")]
    if len(keys) >= 16384:
        raise SystemExit("verify_milvus.py --autoid handles collections under 16,384 rows")
    got = []
    for s in range(0, len(keys), 1000):
        rows = client.query(args.collection, filter=f"{args.id_field} in {keys[s:s + 1000]}", output_fields=[args.id_field, args.vector_field],
                            partition_names=partitions, consistency_level="Strong", limit=1000)
        got.extend(vector_bytes(r[args.vector_field], args.binary) for r in rows)
    expected = sorted(np.ascontiguousarray(v).tobytes() for v in vecs)
    actual = sorted(got)
    mismatches = []
    if len(set(keys)) != len(keys):
        mismatches.append({"why": "repeated keys in the target"})
    if actual != expected:
        from collections import Counter
        e, a = Counter(expected), Counter(actual)
        mismatches.append({"why": "vectors differ as a multiset", "missing": sum((e - a).values()), "unexpected": sum((a - e).values())})
    print(json.dumps({
        "expected": int(len(vecs)),
        "counted": int(counted),
        "fetched": len(got),
        "mismatches": mismatches,
        "ok": not mismatches and int(counted) == len(vecs) == len(got),
    }))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--collection", required=True)
    ap.add_argument("--partition")
    ap.add_argument("--h5", action="append", required=True)
    ap.add_argument("--vectors", default="embeddings")
    ap.add_argument("--ids", default="ids")
    ap.add_argument("--id-field", default="id")
    ap.add_argument("--vector-field", default="embedding")
    ap.add_argument("--binary", action="store_true")
    ap.add_argument("--autoid", action="store_true", help="the server assigned the ids: compare vectors as a multiset")
    args = ap.parse_args()

    ids, vecs = expected_rows(args.h5, args.vectors, args.ids, args.binary, with_ids=not args.autoid)
    client = MilvusClient(uri=args.uri, token=args.token)
    # Querying needs a loaded collection; loading twice is harmless.
    client.load_collection(args.collection)
    partitions = [args.partition] if args.partition else None
    # Milvus Lite 3.2 ignores partition_names when counting with an empty filter.
    every = f"{args.id_field} < 0 || {args.id_field} >= 0" if partitions else ""
    counted = client.query(args.collection, filter=every, output_fields=["count(*)"], partition_names=partitions,
                           consistency_level="Strong")[0]["count(*)"]
    if args.autoid:
        verify_autoid(client, args, partitions, counted, vecs)
        return
    got = {}
    # Milvus 2.3 cannot parse the literal -2^63 in a list; that one key is fetched by a range.
    int64_min = -(2**63)
    plain = [int(x) for x in ids if int(x) != int64_min]
    filters = [f"{args.id_field} in {plain[s:s + 1000]}" for s in range(0, len(plain), 1000)]
    if len(plain) < len(ids):
        filters.append(f"{args.id_field} < {int64_min + 1}")
    for flt in filters:
        rows = client.query(args.collection, filter=flt, output_fields=[args.id_field, args.vector_field],
                            partition_names=partitions, consistency_level="Strong", limit=1000)
        for r in rows:
            got[int(r[args.id_field])] = r[args.vector_field]
    mismatches = []
    for i, expected in zip(ids, vecs):
        value = got.get(int(i))
        if value is None:
            mismatches.append({"id": str(i), "why": "missing"})
        else:
            if args.binary:
                actual = np.frombuffer(value[0] if isinstance(value, list) else value, dtype=np.uint8)
                same = np.array_equal(actual, expected)
            else:
                actual = np.asarray(value, dtype=np.float32)
                same = np.array_equal(actual.view(np.uint32), expected.view(np.uint32))
            if not same:
                mismatches.append({"id": str(i), "why": "vector differs"})
        if len(mismatches) >= 10:
            break
    print(json.dumps({
        "expected": int(len(ids)),
        "counted": int(counted),
        "fetched": len(got),
        "mismatches": mismatches,
        "ok": not mismatches and int(counted) == len(ids) and len(got) == len(set(int(x) for x in ids)),
    }))


if __name__ == "__main__":
    main()
