"""Summarises py-spy raw stacks of a Milvus Lite server: samples per gRPC method (the servicer
frame) and per innermost function. Usage: pyspy_summary.py FILE.txt [FILE.txt ...]"""
import collections
import re
import sys

for path in sys.argv[1:]:
    by_rpc, by_self, total = collections.Counter(), collections.Counter(), 0
    for line in open(path):
        line = line.rstrip()
        if not line:
            continue
        stack, n = line.rsplit(" ", 1)
        n = int(n)
        total += n
        frames = stack.split(";")
        rpc = next((f for f in frames if "servicer.py" in f), "other: " + frames[-1][:60])
        by_rpc[re.sub(r" \(.*", "", rpc)] += n
        by_self[frames[-1][:110]] += n
    print(f"== {path}: {total} samples")
    for k, v in by_rpc.most_common(10):
        print(f"{v:7d} {k}")
    print("-- innermost functions")
    for k, v in by_self.most_common(12):
        print(f"{v:7d} {k}")
