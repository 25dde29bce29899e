"""Damages one dataset or attribute of an HDF5 file with h5py, for tests of the reader's checks.

  h5_tamper.py FILE delete NAME            remove dataset NAME
  h5_tamper.py FILE retype NAME DTYPE [W]  rewrite NAME with numpy dtype DTYPE (2-D of width W)
  h5_tamper.py FILE truncate NAME N        keep the first N entries of NAME
  h5_tamper.py FILE attr NAME TEXT         set file attribute NAME to the string TEXT

Prints JSON {"ok": true}."""
import json
import sys

import h5py
import numpy as np


def main():
    path, action, name = sys.argv[1:4]
    rest = sys.argv[4:]
    with h5py.File(path, "r+") as f:
        if action == "delete":
            del f[name]
        elif action == "retype":
            old = f[name]
            n = old.shape[0]
            attrs = dict(old.attrs)
            del f[name]
            shape = (n, int(rest[1])) if len(rest) > 1 else (n,)
            d = f.create_dataset(name, data=np.zeros(shape, dtype=np.dtype(rest[0])))
            for k, v in attrs.items():
                d.attrs[k] = v
        elif action == "truncate":
            old = f[name]
            data = old[: int(rest[0])]
            attrs = dict(old.attrs)
            del f[name]
            d = f.create_dataset(name, data=data, maxshape=(None,) + old.shape[1:])
            for k, v in attrs.items():
                d.attrs[k] = v
        elif action == "attr":
            f.attrs[name] = rest[0]
        else:
            raise SystemExit(f"unknown action {action}")
    print(json.dumps({"ok": True}))


if __name__ == "__main__":
    main()
