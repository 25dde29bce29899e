# F2M the way a Faiss + pymilvus user writes it: faiss reads the index, its inverted lists give
# ids and vectors, the ORM's Collection.insert sends numpy columns in batches of 10,000.
#   python f2m_pymilvus.py URI TOKEN COLLECTION FILE.index
import sys

import faiss
import numpy as np
from pymilvus import Collection, CollectionSchema, DataType, FieldSchema, connections

uri, token, name, path = sys.argv[1:5]
index = faiss.read_index(path)
ivf = faiss.extract_index_ivf(index)
lists = ivf.invlists
connections.connect(uri=uri, token=token)
fields = [FieldSchema("id", DataType.INT64, is_primary=True), FieldSchema("embedding", DataType.FLOAT_VECTOR, dim=ivf.d)]
collection = Collection(name, CollectionSchema(fields))
collection.create_index("embedding", {"index_type": "AUTOINDEX", "metric_type": "L2", "params": {}})
ids, vectors = [], []
for l in range(ivf.nlist):
    n = lists.list_size(l)
    if n > 0:
        ids.append(faiss.rev_swig_ptr(lists.get_ids(l), n).copy())
        vectors.append(faiss.rev_swig_ptr(lists.get_codes(l), n * lists.code_size).view("float32").reshape(n, ivf.d).copy())
    if sum(map(len, ids)) >= 10_000 or (l == ivf.nlist - 1 and ids):
        block_ids, block = np.concatenate(ids), np.concatenate(vectors)
        cut = len(block_ids) if l == ivf.nlist - 1 else len(block_ids) // 10_000 * 10_000
        for start in range(0, cut, 10_000):
            collection.insert([block_ids[start : min(cut, start + 10_000)], block[start : min(cut, start + 10_000)]])
        ids, vectors = [block_ids[cut:]], [block[cut:]]
connections.disconnect("default")
