"""Builds a Milvus 1.x storage path around segment files written by a real Milvus (>= 1.1):
fixtures/milvus1x-real/milvus-migration-test1w (see its NOTE.md). Only this script and h5py /
numpy / sqlite3 are used — nothing from milvusdm — so the reader is tested against bytes and a
layout it did not make.

What is real: the segment's `<segment>.uid`, `deleted_docs` and `bloom_filter`, and the summary
milvus-migration wrote of that collection (meta.json: collection test1w, metric 1 = L2, dim 256,
10,000 rows, file_size 10,320,000). What is not, because the public copy lacks it:
  * `<segment>.rv` (10 MB, not in the stored snapshot): rebuilt as milvus-migration's own CI
    asserts it is — 10,000 vectors of 256 float32 ones — with the u64 byte-count header;
  * `db/meta.sqlite` (the test data has none): one Tables row and one RAW TableFiles row with
    the values of meta.json, columns as Milvus 1.x's SQLite meta defines them.

Writes <out>/db/... and <out>/expected.h5 (ids from the real .uid, read by numpy; vectors).
Prints JSON {"root", "expected", "rows", "dim"}.
"""
import argparse
import json
import os
import shutil
import sqlite3

import h5py
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixture", required=True, help="fixtures/milvus1x-real/milvus-migration-test1w")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    with open(os.path.join(args.fixture, "meta.json")) as f:
        meta = json.load(f)
    coll = meta["collections"][0]
    seg = coll["segments"][0]
    name, segment, dim, rows = coll["collection"], seg["segment"], coll["dim"], seg["rows"]

    db = os.path.join(args.out, "db")
    seg_dir = os.path.join(db, "tables", name, segment)
    shutil.copytree(os.path.join(args.fixture, "tables", name, segment), seg_dir)

    uid = np.fromfile(os.path.join(seg_dir, f"{segment}.uid"), dtype="<u8", count=1)[0]
    ids = np.fromfile(os.path.join(seg_dir, f"{segment}.uid"), dtype="<i8", offset=8)
    if int(uid) != ids.nbytes or len(ids) != rows:
        raise SystemExit(f"the real .uid does not hold {rows} ids")
    vectors = np.ones((rows, dim), dtype="<f4")
    with open(os.path.join(seg_dir, f"{segment}.rv"), "wb") as f:
        f.write(np.array([vectors.nbytes], dtype="<u8").tobytes())
        f.write(vectors.tobytes())
    if vectors.nbytes + ids.nbytes != seg["fileSize"]:
        raise SystemExit("the rebuilt .rv does not match the file_size milvus-migration recorded")

    created = int(segment) // 1000  # ids are microseconds x 1000
    con = sqlite3.connect(os.path.join(db, "meta.sqlite"))
    con.executescript("""
        CREATE TABLE Tables (id INTEGER PRIMARY KEY NOT NULL, table_id TEXT UNIQUE NOT NULL, state INTEGER NOT NULL,
          dimension INTEGER NOT NULL, created_on INTEGER NOT NULL, flag INTEGER DEFAULT 0 NOT NULL,
          index_file_size INTEGER NOT NULL, engine_type INTEGER NOT NULL, index_params TEXT NOT NULL,
          metric_type INTEGER NOT NULL, owner_table TEXT DEFAULT '' NOT NULL, partition_tag TEXT DEFAULT '' NOT NULL,
          version TEXT DEFAULT '' NOT NULL, flush_lsn INTEGER NOT NULL);
        CREATE TABLE TableFiles (id INTEGER PRIMARY KEY NOT NULL, table_id TEXT NOT NULL, segment_id TEXT DEFAULT '' NOT NULL,
          engine_type INTEGER NOT NULL, file_id TEXT NOT NULL, file_type INTEGER NOT NULL, file_size INTEGER DEFAULT 0 NOT NULL,
          row_count INTEGER DEFAULT 0 NOT NULL, updated_time INTEGER NOT NULL, created_on INTEGER NOT NULL,
          date INTEGER NOT NULL, flush_lsn INTEGER NOT NULL);
        CREATE TABLE Environment (global_lsn INTEGER NOT NULL);
        CREATE TABLE Fields (collection_id TEXT NOT NULL, field_name TEXT NOT NULL, field_type INTEGER NOT NULL,
          field_params TEXT NOT NULL);
    """)
    # flag 2: ids given by the user (they are 1..10000); engine 1: FLAT; file_type 1: RAW.
    con.execute("INSERT INTO Tables VALUES (1, ?, 0, ?, ?, 2, ?, 1, '{}', ?, '', '', '1.1.0', 0)",
                (name, dim, created, 1024 * 1048576, coll["metric"]))
    con.execute("INSERT INTO TableFiles VALUES (1, ?, ?, 1, ?, 1, ?, ?, ?, ?, 1230309, 0)",
                (name, segment, segment, seg["fileSize"], rows, created, created))
    con.execute("INSERT INTO Environment VALUES (0)")
    con.commit()
    con.close()

    expected = os.path.join(args.out, "expected.h5")
    with h5py.File(expected, "w") as f:
        f.create_dataset("ids", data=ids)
        f.create_dataset("embeddings", data=vectors)
    print(json.dumps({"root": args.out, "expected": expected, "rows": int(rows), "dim": int(dim), "collection": name}))


if __name__ == "__main__":
    main()
