"""Writes Parquet files with pyarrow in the layout Milvus bulk import reads, the way a user's
own tools would (no milvusdm metadata), and prints the values written as one JSON document:
fixed-width values as the hex of their little-endian bytes, so a test compares bits.

    python make_parquet.py OUT_DIR ROWS ROW_GROUP_ROWS

Files: every.parquet (an int64 key and one column of every type), varchar_pk.parquet (a
string key, a fixed_size_list vector), nulls.parquet (nullable columns with nulls).
"""
import json
import os
import struct
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

INT64_EDGES = [2**63 - 1, -(2**63), 2**53 + 1, -(2**53) - 3, 0, -1]
TEXT = ["", "plain", "ümlaut", "漢字", "emoji 🚀", 'quote " and , comma']


def hexes(values, dtype):
    return np.asarray(values, dtype=dtype).tobytes().hex()


def every(out, n, group):
    rng = np.random.default_rng(7)
    ids = [INT64_EDGES[i] if i < len(INT64_EDGES) else i * 9_007_199_254_740_993 % (2**62) for i in range(n)]
    f32 = rng.standard_normal(n).astype("<f4")
    f32[0] = -0.0
    f32[1] = np.float32(1e-40)  # subnormal
    f64 = rng.standard_normal(n) * 1e300
    fv = rng.standard_normal((n, 4)).astype("<f4")
    bv = rng.integers(0, 256, (n, 2), dtype=np.uint8)
    f16 = rng.standard_normal((n, 4)).astype("<f2")
    bf16 = (rng.standard_normal((n, 4)).astype("<f4").view("<u4") >> 16).astype("<u2")
    i8v = rng.integers(-128, 128, (n, 4), dtype=np.int8)
    sparse = [{str(j * 100 + i % 7): float(np.float32(rng.random())) for j in range(1 + i % 3)} for i in range(n)]
    sparse_map = [[(j * 10 + i, float(np.float32(rng.random()))) for j in range(i % 3)] for i in range(n)]
    cols = {
        "id": pa.array(ids, pa.int64()),
        "b": pa.array([i % 3 == 0 for i in range(n)], pa.bool_()),
        "i8": pa.array([(i * 37) % 256 - 128 for i in range(n)], pa.int8()),
        "i16": pa.array([(i * 7919) % 65536 - 32768 for i in range(n)], pa.int16()),
        "i32": pa.array([(i * 2654435761) % 2**32 - 2**31 for i in range(n)], pa.int32()),
        "i64": pa.array([INT64_EDGES[i % len(INT64_EDGES)] for i in range(n)], pa.int64()),
        "u8": pa.array([255 - i % 256 for i in range(n)], pa.uint8()),
        "f32": pa.array(f32, pa.float32()),
        "f64": pa.array(f64, pa.float64()),
        "s": pa.array([f"{TEXT[i % len(TEXT)]}{i}" for i in range(n)], pa.string()),
        "doc": pa.array([json.dumps({"row": i, "tag": TEXT[i % len(TEXT)]}) for i in range(n)], pa.string()),
        "arr": pa.array([list(range(i, i + i % 4)) for i in range(n)], pa.list_(pa.int32())),
        "sarr": pa.array([[TEXT[(i + j) % len(TEXT)] for j in range(i % 3)] for i in range(n)], pa.list_(pa.string())),
        "darr": pa.array([[float(i) / 3] * (i % 2) for i in range(n)], pa.list_(pa.float64())),
        "fv": pa.array(list(fv), pa.list_(pa.float32())),
        "bv": pa.array(list(bv), pa.list_(pa.uint8())),
        "f16": pa.array([list(r.view(np.uint8)) for r in f16], pa.list_(pa.uint8())),
        "bf16": pa.array([list(r.view(np.uint8)) for r in bf16], pa.list_(pa.uint8())),
        "i8v": pa.array(list(i8v), pa.list_(pa.int8())),
        "sp": pa.array([json.dumps(d) for d in sparse], pa.string()),
        "spm": pa.array(sparse_map, pa.map_(pa.int32(), pa.float32())),
        "$meta": pa.array([json.dumps({"extra": i}) for i in range(n)], pa.string()),
    }
    pq.write_table(pa.table(cols), os.path.join(out, "every.parquet"), row_group_size=group)
    return {
        "id": [str(v) for v in ids],
        "b": [1 if i % 3 == 0 else 0 for i in range(n)],
        "i8": hexes(cols["i8"].to_numpy(), "<i1"),
        "i16": hexes(cols["i16"].to_numpy(), "<i2"),
        "i32": hexes(cols["i32"].to_numpy(), "<i4"),
        "i64": [str(v) for v in cols["i64"].to_pylist()],
        "u8": hexes(cols["u8"].to_numpy(), "<i2"),
        "f32": f32.tobytes().hex(),
        "f64": f64.astype("<f8").tobytes().hex(),
        "s": cols["s"].to_pylist(),
        "doc": cols["doc"].to_pylist(),
        "arr": cols["arr"].to_pylist(),
        "sarr": cols["sarr"].to_pylist(),
        "darr": cols["darr"].to_pylist(),
        "fv": fv.tobytes().hex(),
        "bv": bv.tobytes().hex(),
        "f16": f16.tobytes().hex(),
        "bf16": bf16.tobytes().hex(),
        "i8v": i8v.tobytes().hex(),
        "sp": [{"indices": [int(k) for k in d], "values": [struct.unpack("<I", struct.pack("<f", v))[0] for v in d.values()]} for d in sparse],
        "spm": [{"indices": [k for k, _ in r], "values": [struct.unpack("<I", struct.pack("<f", v))[0] for _, v in r]} for r in sparse_map],
        "$meta": cols["$meta"].to_pylist(),
    }


def varchar_pk(out, n):
    fv = np.arange(n * 3, dtype="<f4").reshape(n, 3) / 7
    table = pa.table({"pk": pa.array([f"key-{i}-{TEXT[i % len(TEXT)]}" for i in range(n)]), "v": pa.FixedSizeListArray.from_arrays(pa.array(fv.ravel()), 3)})
    pq.write_table(table, os.path.join(out, "varchar_pk.parquet"))
    return {"pk": table.column("pk").to_pylist(), "v": fv.tobytes().hex()}


def nulls(out, n):
    vals = [None if i % 4 == 3 else i * 3 for i in range(n)]
    text = [None if i % 5 == 1 else f"t{i}" for i in range(n)]
    fv = [None if i % 3 == 2 else [float(i), -float(i)] for i in range(n)]
    table = pa.table({"id": pa.array(range(n), pa.int64()), "n": pa.array(vals, pa.int32()), "t": pa.array(text), "fv": pa.array(fv, pa.list_(pa.float32()))})
    pq.write_table(table, os.path.join(out, "nulls.parquet"))
    return {"n": vals, "t": text, "fv": fv}


def main(out, n, group):
    os.makedirs(out, exist_ok=True)
    print(json.dumps({"every": every(out, n, group), "varchar_pk": varchar_pk(out, n), "nulls": nulls(out, n)}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
