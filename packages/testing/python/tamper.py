"""Plants one deliberate fault in a migrated target, independently of milvusdm, so tests can
check that `milvusdm verify` finds and names it.

  tamper.py milvus --uri U [--token T] --collection C [--partition P] (corrupt|delete|duplicate) --id N
  tamper.py h5 --file F (corrupt|delete|duplicate) --id N

corrupt flips the lowest bit of the first element of the row's vector; delete removes the row;
duplicate inserts a second copy of the row (Milvus keeps both on insert; HDF5 gets an extra row).
Prints JSON {"ok": true, "rows": <rows counted after>} (HDF5: rows in the file).
"""
import argparse
import json

import numpy as np


def milvus(args):
    from pymilvus import MilvusClient

    client = MilvusClient(uri=args.uri, token=args.token)
    # milvusdm releases what it loaded; querying needs the collection loaded.
    client.load_collection(args.collection)
    parts = [args.partition] if args.partition else None
    rows = client.query(args.collection, filter=f"id == {args.id}", output_fields=["*"], partition_names=parts, consistency_level="Strong")
    if len(rows) != 1:
        raise SystemExit(f"expected one row with id {args.id}, found {len(rows)}")
    row = rows[0]
    vec_field = args.vector_field
    if args.action == "delete":
        client.delete(args.collection, filter=f"id == {args.id}", partition_name=args.partition)
    elif args.action == "duplicate":
        client.insert(args.collection, [row], partition_name=args.partition)
    else:
        v = row[vec_field]
        if isinstance(v, (bytes, bytearray)):
            b = bytearray(v)
            b[0] ^= 1
            row[vec_field] = bytes(b)
        else:
            a = np.asarray(v, dtype=np.float32).copy()
            a.view(np.uint32)[0] ^= 1
            row[vec_field] = a.tolist()
        client.upsert(args.collection, [row], partition_name=args.partition)
    client.flush(args.collection)
    got = client.query(args.collection, filter="id >= -9223372036854775807", output_fields=["count(*)"], partition_names=parts, consistency_level="Strong")
    print(json.dumps({"ok": True, "rows": got[0]["count(*)"]}))


def h5(args):
    import h5py

    with h5py.File(args.file, "r+") as f:
        ids = f["ids"][()]
        vecs = f["embeddings"][()]
        where = np.nonzero(ids == args.id)[0]
        if len(where) != 1:
            raise SystemExit(f"expected one row with id {args.id}, found {len(where)}")
        i = int(where[0])
        if args.action == "corrupt":
            row = vecs[i].copy()
            row.view(np.uint8)[0] ^= 1
            f["embeddings"][i] = row
        else:
            if args.action == "delete":
                ids = np.delete(ids, i, axis=0)
                vecs = np.delete(vecs, i, axis=0)
            else:
                ids = np.concatenate([ids, ids[i : i + 1]])
                vecs = np.concatenate([vecs, vecs[i : i + 1]])
            for name, data in (("ids", ids), ("embeddings", vecs)):
                dtype = f[name].dtype
                del f[name]
                f.create_dataset(name, data=data.astype(dtype))
        n = f["ids"].shape[0]
    print(json.dumps({"ok": True, "rows": int(n)}))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="kind", required=True)
    m = sub.add_parser("milvus")
    m.add_argument("--uri", required=True)
    m.add_argument("--token", default="")
    m.add_argument("--collection", required=True)
    m.add_argument("--partition")
    m.add_argument("--vector-field", default="embedding")
    h = sub.add_parser("h5")
    h.add_argument("--file", required=True)
    for p in (m, h):
        p.add_argument("action", choices=["corrupt", "delete", "duplicate"])
        p.add_argument("--id", type=int, required=True)
    args = ap.parse_args()
    milvus(args) if args.kind == "milvus" else h5(args)


if __name__ == "__main__":
    main()
