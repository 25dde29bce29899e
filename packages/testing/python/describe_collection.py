"""Describes a collection through pymilvus, independently of milvusdm, in the terms of
milvusdm's schema document (packages/core/src/schema-json.ts): fields with type, dim,
max_length, max_capacity, element type, nullable, default value (int64 as a decimal string),
partition/clustering key, autoID, description, function outputs; the collection's description,
dynamic field, shards, partition count (partition key only), consistency level, properties,
functions, indexes, aliases and load state. Prints that JSON. Works with pymilvus 2.5 and 3."""
import argparse
import json

from pymilvus import MilvusClient

TYPES = {1: "bool", 2: "int8", 3: "int16", 4: "int32", 5: "int64", 10: "float", 11: "double", 20: "varchar", 21: "varchar",
         22: "array", 23: "json", 100: "binary_vector", 101: "float_vector", 102: "float16_vector", 103: "bfloat16_vector",
         104: "sparse_float_vector", 105: "int8_vector"}
CONSISTENCY = ["Strong", "Session", "Bounded", "Eventually", "Customized"]
OWN = {"dim", "max_length", "max_capacity"}


def default_of(v):
    if v is None:
        return None
    kind = v.WhichOneof("data")
    if kind is None:
        return None
    value = getattr(v, kind)
    return str(value) if kind == "long_data" else value


def field(f):
    p = f.get("params", {})
    t = TYPES[int(f["type"])]
    out = {"name": f["name"], "type": t}
    if "dim" in p and t.endswith("_vector") and t != "sparse_float_vector":
        out["dim"] = int(p["dim"])
    if "max_length" in p:
        out["maxLength"] = int(p["max_length"])
    if t == "array":
        out["elementType"] = TYPES[int(f["element_type"])]
    if "max_capacity" in p:
        out["maxCapacity"] = int(p["max_capacity"])
    for src, dst in (("is_primary", "isPrimaryKey"), ("auto_id", "autoId"), ("nullable", "nullable"),
                     ("is_partition_key", "isPartitionKey"), ("is_clustering_key", "isClusteringKey")):
        if f.get(src):
            out[dst] = True
    d = default_of(f.get("default_value"))
    if d is not None:
        out["defaultValue"] = d
    if f.get("description"):
        out["description"] = f["description"]
    extra = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in p.items() if k not in OWN}
    if extra:
        out["properties"] = extra
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--collection", required=True)
    ap.add_argument("--database", default="")
    args = ap.parse_args()
    c = MilvusClient(uri=args.uri, token=args.token, db_name=args.database)
    d = c.describe_collection(args.collection)
    fields = [field(f) for f in d["fields"] if not f.get("is_function_output") and not f.get("is_dynamic")]
    outputs = [field(f) for f in d["fields"] if f.get("is_function_output")]
    doc = {"fields": fields}
    if d.get("description"):
        doc["description"] = d["description"]
    if d.get("enable_dynamic_field"):
        doc["enableDynamicField"] = True
    if outputs:
        doc["functionOutputFields"] = outputs
    funcs = []
    for fn in d.get("functions", []) or []:
        item = {"name": fn["name"], "type": getattr(fn["type"], "name", str(fn["type"])), "inputFields": list(fn["input_field_names"]), "outputFields": list(fn["output_field_names"])}
        if fn.get("params"):
            item["params"] = {k: str(v) for k, v in fn["params"].items()}
        if fn.get("description"):
            item["description"] = fn["description"]
        funcs.append(item)
    if funcs:
        doc["functions"] = funcs
    if d.get("num_shards"):
        doc["numShards"] = d["num_shards"]
    if any(f.get("isPartitionKey") for f in fields) and d.get("num_partitions"):
        doc["numPartitions"] = d["num_partitions"]
    cl = d.get("consistency_level")
    if cl is not None:
        doc["consistencyLevel"] = CONSISTENCY[cl] if isinstance(cl, int) else str(cl)
    if d.get("properties"):
        doc["properties"] = {k: str(v) for k, v in d["properties"].items()}
    indexes = []
    for name in c.list_indexes(args.collection):
        i = c.describe_index(args.collection, name)
        params = {k: str(v) for k, v in i.items() if k not in ("field_name", "index_name", "index_type", "metric_type", "indexed_rows", "pending_index_rows", "state", "total_rows")}
        item = {"field": i["field_name"], "name": i["index_name"], "type": i["index_type"]}
        if i.get("metric_type"):
            item["metric"] = i["metric_type"].upper()
        if params:
            item["params"] = params
        indexes.append(item)
    if indexes:
        doc["indexes"] = sorted(indexes, key=lambda x: x["name"])
    try:
        aliases = c.list_aliases(args.collection)["aliases"]
    except Exception:  # a server without ListAliases
        aliases = []
    if aliases:
        doc["aliases"] = sorted(aliases)
    doc["loaded"] = "Loaded" in str(c.get_load_state(args.collection)["state"]) and "NotLoad" not in str(c.get_load_state(args.collection)["state"])
    print(json.dumps(doc))


if __name__ == "__main__":
    main()
