"""Compares Parquet files (pyarrow) with an HDF5 file in MilvusDM's layout (h5py): the ids
exactly and the vectors by their float32 bits (float64 sources narrowed as milvusdm does).
Prints one JSON verdict.

    python compare_parquet_h5.py --h5 FILE --id id --vector embedding PARQUET [PARQUET ...]
"""
import argparse
import json

import h5py
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--h5", required=True)
    ap.add_argument("--id", default="id")
    ap.add_argument("--vector", default="embedding")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    table = pa.concat_tables([pq.read_table(f) for f in args.files])
    with h5py.File(args.h5, "r") as f:
        ids = f["ids"][:].astype("<i8")
        vectors = f["embeddings"][:].astype("<f4")
    got_ids = table.column(args.id).to_numpy()
    column = table.column(args.vector).combine_chunks()
    got = column.values.to_numpy().astype("<f4", copy=False).reshape(len(column), -1)
    print(json.dumps({
        "ok": bool(np.array_equal(got_ids, ids) and got.tobytes() == vectors.tobytes()),
        "rows": len(table),
        "vector_type": str(column.type),
        "id_type": str(table.schema.field(args.id).type),
    }))


if __name__ == "__main__":
    main()
