"""Fixtures and checks for the guard tests (validation, staged overwrite, locks), written with
h5py and pymilvus, independently of milvusdm.

  write --out F --rows N --dim D [--nan-row R] [--inf-row R] [--neg-inf-row R] [--dup A:B]
        [--uint64-big-row R] [--f16] [--id-offset K] [--seed S] [--shuffle]
      an HDF5 file in MilvusDM's layout (embeddings, ids); prints {"path", "ids": [...]} with
      the ids as strings. --shuffle puts the rows (ids 0, 3, 6, … with the --dup copies) in a
      seeded random order.
  snapshot --uri U [--token T] --prefix P
      every collection whose name starts with P: its row count and a SHA-256 over its rows
      (ids and vector bytes, sorted by id). Prints {"collections": {name: {"count", "digest"}}}.
"""
import argparse
import hashlib
import json
import sys
import time

import h5py
import numpy as np


def write(args):
    rng = np.random.default_rng(args.seed)
    n, d = args.rows, args.dim
    ids = (np.arange(n, dtype=np.int64) * 3 + args.id_offset).astype(np.int64)
    vecs = rng.standard_normal((n, d)).astype(np.float32)
    if args.nan_row is not None:
        vecs[args.nan_row, d // 2] = np.nan
    if args.inf_row is not None:
        vecs[args.inf_row, 0] = np.inf
    if args.neg_inf_row is not None:
        vecs[args.neg_inf_row, d - 1] = -np.inf
    for pair in args.dup or []:
        a, b = (int(x) for x in pair.split(":"))
        ids[b] = ids[a]
    if args.shuffle:
        order = rng.permutation(n)
        ids, vecs = ids[order], vecs[order]
    with h5py.File(args.out, "w") as f:
        f.create_dataset("embeddings", data=vecs.astype(np.float16) if args.f16 else vecs)
        if args.uint64_big_row is not None:
            u = ids.astype(np.uint64)
            u[args.uint64_big_row] = np.uint64(2**63 + 5)
            f.create_dataset("ids", data=u)
        else:
            f.create_dataset("ids", data=ids)
    print(json.dumps({"path": args.out, "ids": [str(i) for i in ids]}))


def listing(client):
    """The server's collections. Milvus Lite fails a listing that meets a collection another test
    is dropping or renaming ("... does not exist"): that is asked again."""
    for attempt in range(1, 9):
        try:
            return client.list_collections()
        except Exception as e:  # noqa: BLE001 - pymilvus raises MilvusException subclasses
            if attempt == 8 or "not exist" not in str(e):
                raise
            time.sleep(0.1 * attempt)


def snapshot(args):
    from pymilvus import MilvusClient

    client = MilvusClient(uri=args.uri, token=args.token)
    out = {}
    for name in sorted(listing(client)):
        if not name.startswith(args.prefix):
            continue
        desc = client.describe_collection(name)
        pk = next(f["name"] for f in desc["fields"] if f.get("is_primary"))
        vec = next((f["name"] for f in desc["fields"] if f["type"].name.endswith("VECTOR")), None)
        try:
            client.load_collection(name)
        except Exception as e:  # an index-less collection cannot be loaded: report what we can
            out[name] = {"count": None, "digest": None, "error": str(e).splitlines()[0]}
            continue
        count = client.query(name, filter="", output_fields=["count(*)"], consistency_level="Strong")[0]["count(*)"]
        # Keys first, then rows by key: a range query that also returns vectors can pair them
        # with the wrong keys on Milvus Lite 3.2 (seen here), so vectors are fetched by id lists.
        keys = sorted(r[pk] for r in client.query(name, filter=f"{pk} >= -9223372036854775807", output_fields=[pk], limit=16384, consistency_level="Strong"))
        rows = []
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            got = client.query(name, filter=f"{pk} in [{','.join(str(k) for k in part)}]", output_fields=[pk] + ([vec] if vec else []), consistency_level="Strong")
            rows.extend(got)
        rows.sort(key=lambda r: r[pk])
        h = hashlib.sha256()
        for r in rows:
            h.update(str(r[pk]).encode())
            if vec:
                v = r[vec]
                h.update(np.asarray(v, dtype=np.float32).tobytes() if not isinstance(v, (bytes, bytearray)) else bytes(v))
        out[name] = {"count": count, "rows": len(rows), "digest": h.hexdigest()}
    print(json.dumps({"collections": out}))


def expected(args):
    """The digest snapshot would give for the rows of --h5 (in the same form), keeping the
    first or last row of each repeated id and leaving out --skip-rows."""
    with h5py.File(args.h5, "r") as f:
        ids = np.asarray(f["ids"][()], dtype=np.int64)
        vecs = np.asarray(f["embeddings"][()]).astype(np.float32)
    skip = {int(r) for r in args.skip_rows.split(",")} if args.skip_rows else set()
    chosen = {}
    for row, i in enumerate(ids.tolist()):
        if row in skip:
            continue
        if args.keep == "last" or i not in chosen:
            chosen[i] = row
    h = hashlib.sha256()
    for i in sorted(chosen):
        h.update(str(i).encode())
        h.update(vecs[chosen[i]].tobytes())
    print(json.dumps({"count": len(chosen), "digest": h.hexdigest()}))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("--out", required=True)
    w.add_argument("--rows", type=int, required=True)
    w.add_argument("--dim", type=int, required=True)
    w.add_argument("--nan-row", type=int)
    w.add_argument("--inf-row", type=int)
    w.add_argument("--neg-inf-row", type=int)
    w.add_argument("--dup", action="append")
    w.add_argument("--uint64-big-row", type=int)
    w.add_argument("--f16", action="store_true")
    w.add_argument("--id-offset", type=int, default=0)
    w.add_argument("--seed", type=int, default=1)
    w.add_argument("--shuffle", action="store_true")
    s = sub.add_parser("snapshot")
    s.add_argument("--uri", required=True)
    s.add_argument("--token", default="")
    s.add_argument("--prefix", required=True)
    e = sub.add_parser("expected")
    e.add_argument("--h5", required=True)
    e.add_argument("--keep", choices=["first", "last"], default="first")
    e.add_argument("--skip-rows", default="")
    args = ap.parse_args()
    {"write": write, "snapshot": snapshot, "expected": expected}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
