"""Describes an HDF5 file as h5py sees it: for each root dataset its numpy dtype ("str" for
variable-length UTF-8 strings), shape and attributes; the file's attributes under "@file".
Attribute values are printed as text. Prints JSON {name: {"dtype", "shape", "attrs"}}."""
import argparse
import json

import h5py


def text(v):
    if isinstance(v, bytes):
        return v.decode()
    if hasattr(v, "item"):
        return str(v.item())
    return str(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    args = ap.parse_args()
    out = {}
    with h5py.File(args.path, "r") as f:
        out["@file"] = {"attrs": {k: text(v) for k, v in f.attrs.items()}}
        for name, d in f.items():
            if not isinstance(d, h5py.Dataset):
                continue
            info = h5py.check_string_dtype(d.dtype)
            dtype = "str" if info is not None and info.length is None and info.encoding == "utf-8" else d.dtype.str
            out[name] = {"dtype": dtype, "shape": list(d.shape), "attrs": {k: text(v) for k, v in d.attrs.items()}}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
