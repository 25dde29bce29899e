"""Reads Parquet files with pyarrow, independently of milvusdm, and prints one JSON document:
per column its Arrow type, nullability, null flags and values. Fixed-width values (and the
elements of lists of them) are given as the hex of their little-endian bytes, so a test compares
bits, not decimal renderings; text is given as text. Also the key-value metadata and the row
group sizes.

    python dump_parquet.py FILE [FILE ...]
"""
import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq


def fixed_hex(array):
    """The bytes of a fixed-width array's valid values, in row order."""
    values = array.drop_null() if array.null_count else array
    if pa.types.is_boolean(values.type):
        return bytes(1 if v else 0 for v in values.to_pylist()).hex()
    return values.to_numpy(zero_copy_only=False).astype(values.type.to_pandas_dtype()).tobytes().hex()


def column_doc(column):
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    doc = {"type": str(array.type), "nulls": [0 if v else 1 for v in array.is_valid().to_pylist()] if array.null_count else None}
    t = array.type
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        rows = []
        for i in range(len(array)):
            item = array[i]
            if not item.is_valid:
                rows.append(None)
                continue
            values = item.values
            if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
                rows.append(values.to_pylist())
            else:
                rows.append(fixed_hex(values))
        doc["rows"] = rows
    elif pa.types.is_string(t) or pa.types.is_large_string(t):
        doc["rows"] = array.to_pylist()
    else:
        doc["hex"] = fixed_hex(array)
    return doc


def main(paths):
    out = []
    for path in paths:
        meta = pq.read_metadata(path)
        table = pq.read_table(path)
        out.append(
            {
                "path": path,
                "rows": table.num_rows,
                "row_groups": [meta.row_group(i).num_rows for i in range(meta.num_row_groups)],
                "metadata": {k.decode(): v.decode() for k, v in (meta.metadata or {}).items() if not k.startswith(b"ARROW:")},
                "nullable": {f.name: f.nullable for f in table.schema},
                "columns": {name: column_doc(table.column(name)) for name in table.column_names},
            }
        )
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
