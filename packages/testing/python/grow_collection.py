"""Creates a collection (int64 key, 8-dim float vector, int32 n; Strong consistency, so every
count sees every insert) with --rows rows, writes --ready once they are counted, then keeps
inserting --batch new rows every --every seconds until the file --stop exists: writes that
arrive while a dump reads the collection. Prints JSON {"rows": total rows inserted}."""
import argparse
import json
import os
import time

import numpy as np
from pymilvus import DataType, MilvusClient


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--collection", required=True)
    ap.add_argument("--rows", type=int, default=4000)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--every", type=float, default=0.2)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--stop", required=True)
    ap.add_argument("--batches", type=int, default=600, help="at most (a bound for a test that never writes --stop)")
    args = ap.parse_args()
    rng = np.random.default_rng(11)
    c = MilvusClient(uri=args.uri, token=args.token)
    s = c.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field("id", DataType.INT64, is_primary=True)
    s.add_field("vec", DataType.FLOAT_VECTOR, dim=8)
    s.add_field("n", DataType.INT32)
    idx = c.prepare_index_params()
    idx.add_index("vec", index_type="FLAT", metric_type="L2")
    c.create_collection(args.collection, schema=s, index_params=idx, consistency_level="Strong")

    def insert(start, count):
        c.insert(args.collection, [{"id": i, "vec": rng.standard_normal(8).astype(np.float32).tolist(), "n": i} for i in range(start, start + count)])
        return start + count

    next_id = 0
    while next_id < args.rows:
        next_id = insert(next_id, min(1000, args.rows - next_id))
    c.load_collection(args.collection)
    with open(args.ready, "w") as f:
        f.write(str(next_id))
    for _ in range(args.batches):
        if os.path.exists(args.stop):
            break
        next_id = insert(next_id, args.batch)
        time.sleep(args.every)
    print(json.dumps({"rows": next_id}))


if __name__ == "__main__":
    main()
