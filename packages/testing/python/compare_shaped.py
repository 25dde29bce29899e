"""Compares a copy made with a row filter, renamed and dropped fields against its source, through
pymilvus: the source's rows matching --filter (evaluated by the server), each with its fields
renamed (--rename JSON {old: new}) and without --drop fields, must equal the copy's rows exactly
(floats by bit pattern, as compare_rows.py). Prints JSON {"a", "b", "differences", "ok"}."""
import argparse
import json

from pymilvus import MilvusClient

from compare_rows import norm

PAGE = 16384


def rows(client, name, flt):
    client.load_collection(name)
    out = client.query(name, filter=flt, output_fields=["*"], limit=PAGE, consistency_level="Strong")
    if len(out) >= PAGE:
        raise SystemExit("compare_shaped.py handles collections under 16,384 rows")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--pk", required=True, help="the key's name in the source")
    ap.add_argument("--filter", required=True)
    ap.add_argument("--every", required=True, help="a filter every row of the copy passes")
    ap.add_argument("--rename", default="{}")
    ap.add_argument("--drop", default="[]")
    args = ap.parse_args()
    rename, drop = json.loads(args.rename), set(json.loads(args.drop))
    c = MilvusClient(uri=args.uri, token=args.token)
    want = {}
    for r in rows(c, args.a, args.filter):
        want[r[args.pk]] = {rename.get(k, k): norm(v) for k, v in r.items() if k not in drop}
    got = {}
    pk_b = rename.get(args.pk, args.pk)
    for r in rows(c, args.b, args.every):
        got[r[pk_b]] = {k: norm(v) for k, v in r.items()}
    diffs = []
    for k in sorted(set(want) | set(got)):
        if want.get(k) != got.get(k):
            diffs.append({"pk": k, "a": want.get(k), "b": got.get(k)})
        if len(diffs) >= 5:
            break
    print(json.dumps({"a": len(want), "b": len(got), "differences": diffs, "ok": not diffs}, default=str))


if __name__ == "__main__":
    main()
