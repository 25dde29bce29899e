/**
 * The few Milvus RPC messages on the data path, encoded and decoded by hand so rows go from
 * typed arrays to bytes without per-row objects: Insert/Upsert requests, Query requests and
 * their answers. Field numbers are those of milvus.proto (milvus.proto.milvus / .schema).
 */
import pb from 'protobufjs/minimal.js';
import type { Column } from '@milvusdm/core';
import { decodeFieldData, type DecodedField } from './field-data-decode.js';
import { newWriter, writeFieldData } from './field-data.js';
import { readVarint64 } from './varint.js';

const { Reader } = pb;

export interface StatusMessage {
  readonly error_code: number;
  readonly reason: string;
  readonly code: number;
  /** The server's own judgement that repeating the request may succeed (rate limits, not ready). */
  readonly retriable: boolean;
  readonly detail: string;
}

export interface InsertColumn {
  readonly name: string;
  readonly column: Column;
  readonly elementType?: string;
  readonly isDynamic?: boolean;
}

export interface InsertRequestFields {
  readonly database?: string;
  readonly collection: string;
  readonly partition?: string;
  readonly numRows: number;
  readonly columns: readonly InsertColumn[];
}

/** Where an encoded request's bytes go, given their count: see RequestBuffers. */
export type RequestAlloc = (bytes: number) => Buffer;

/**
 * InsertRequest and UpsertRequest share fields 2–7. `alloc` gives the buffer the request is
 * written into (default: a new one).
 */
export function encodeInsertRequest(req: InsertRequestFields, alloc?: RequestAlloc): Uint8Array {
  const w = newWriter();
  if (req.database) w.uint32((2 << 3) | 2).string(req.database);
  w.uint32((3 << 3) | 2).string(req.collection);
  if (req.partition) w.uint32((4 << 3) | 2).string(req.partition);
  for (const c of req.columns) {
    writeFieldData(w, 5, c.name, c.column, {
      ...(c.elementType ? { elementType: c.elementType } : {}),
      ...(c.isDynamic ? { isDynamic: true } : {}),
    });
  }
  w.uint32((7 << 3) | 0).uint32(req.numRows);
  return finishInto(w, alloc);
}

/**
 * protobufjs's finish() lays the queued fields out in a buffer it takes from its writer's
 * constructor (`this.constructor.alloc(length)`): giving this writer a constructor of its own
 * with our `alloc` makes the one copy land in a buffer we chose.
 */
function finishInto(w: pb.Writer, alloc: RequestAlloc | undefined): Uint8Array {
  if (alloc) (w as unknown as { constructor: { alloc: RequestAlloc } }).constructor = { alloc };
  return w.finish();
}

export const CONSISTENCY = { Strong: 0, Session: 1, Bounded: 2, Eventually: 3, Customized: 4 } as const;

export interface QueryRequestFields {
  readonly database?: string;
  readonly collection: string;
  readonly expr: string;
  readonly outputFields: readonly string[];
  readonly partitions?: readonly string[];
  readonly limit?: number;
  readonly consistency?: keyof typeof CONSISTENCY;
  /**
   * With consistency Customized: the server answers once it has applied every write up to this
   * timestamp (a hybrid timestamp from its own clock, AllocTimestamp), not up to "now".
   */
  readonly guaranteeTimestamp?: bigint;
}

export function encodeQueryRequest(req: QueryRequestFields): Uint8Array {
  const w = newWriter();
  if (req.database) w.uint32((2 << 3) | 2).string(req.database);
  w.uint32((3 << 3) | 2).string(req.collection);
  w.uint32((4 << 3) | 2).string(req.expr);
  for (const f of req.outputFields) w.uint32((5 << 3) | 2).string(f);
  for (const p of req.partitions ?? []) w.uint32((6 << 3) | 2).string(p);
  if (req.limit !== undefined) {
    w.uint32((9 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 2)
      .string('limit')
      .uint32((2 << 3) | 2)
      .string(String(req.limit))
      .ldelim();
  }
  if (req.guaranteeTimestamp !== undefined) {
    // As 32-bit halves (protobufjs's Long shape): a hybrid timestamp is above 2^53.
    const ts = BigInt.asUintN(64, req.guaranteeTimestamp);
    w.uint32((8 << 3) | 0).uint64({ low: Number(ts & 0xffffffffn), high: Number(ts >> 32n), unsigned: true } as never);
  }
  w.uint32((11 << 3) | 0).int32(CONSISTENCY[req.consistency ?? 'Strong']);
  // use_default_consistency = false: the level above is the one to use.
  w.uint32((12 << 3) | 0).bool(false);
  return w.finish();
}

export function decodeStatus(bytes: Uint8Array): StatusMessage {
  const r = Reader.create(bytes);
  let error_code = 0;
  let reason = '';
  let code = 0;
  let detail = '';
  let retriable = false;
  while (r.pos < r.len) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1:
        error_code = r.int32();
        break;
      case 2:
        reason = r.string();
        break;
      case 3:
        code = r.int32();
        break;
      case 4:
        retriable = r.bool();
        break;
      case 5:
        detail = r.string();
        break;
      default:
        r.skipType(t & 7);
    }
  }
  return { error_code, reason, code, retriable, detail };
}

export interface QueryResultsMessage {
  /** Undefined when the answer carried no status at all (an unimplemented call). */
  readonly status: StatusMessage | undefined;
  readonly fields: readonly DecodedField[];
}

export function decodeQueryResults(bytes: Uint8Array): QueryResultsMessage {
  const r = Reader.create(bytes);
  let status: StatusMessage | undefined;
  const fields: DecodedField[] = [];
  while (r.pos < r.len) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1:
        status = decodeStatus(r.bytes());
        break;
      case 2:
        fields.push(decodeFieldData(r.bytes()));
        break;
      default:
        r.skipType(t & 7);
    }
  }
  return { status, fields };
}

export interface MutationResultMessage {
  readonly status: StatusMessage | undefined;
  readonly insertCount: bigint;
  readonly upsertCount: bigint;
}

export function decodeMutationResult(bytes: Uint8Array): MutationResultMessage {
  const r = Reader.create(bytes);
  let status: StatusMessage | undefined;
  let insertCount = 0n;
  let upsertCount = 0n;
  const pair = new Uint32Array(2);
  const readInt64 = () => {
    r.pos = readVarint64(r.buf, r.pos, pair);
    return BigInt.asIntN(64, (BigInt(pair[1]!) << 32n) | BigInt(pair[0]!));
  };
  while (r.pos < r.len) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1:
        status = decodeStatus(r.bytes());
        break;
      case 6:
        insertCount = readInt64();
        break;
      case 8:
        upsertCount = readInt64();
        break;
      default:
        r.skipType(t & 7);
    }
  }
  return { status, insertCount, upsertCount };
}

/** AllocTimestampResponse: status (1), timestamp (2, uint64). */
export function decodeAllocTimestamp(bytes: Uint8Array): { status: StatusMessage | undefined; timestamp: bigint } {
  const r = Reader.create(bytes);
  let status: StatusMessage | undefined;
  let timestamp = 0n;
  const pair = new Uint32Array(2);
  while (r.pos < r.len) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1:
        status = decodeStatus(r.bytes());
        break;
      case 2:
        r.pos = readVarint64(r.buf, r.pos, pair);
        timestamp = (BigInt(pair[1]!) << 32n) | BigInt(pair[0]!);
        break;
      default:
        r.skipType(t & 7);
    }
  }
  return { status, timestamp };
}
