/**
 * The bytes a row is hashed from. Two stores hold the same row exactly when these bytes are
 * equal, so the encoding is chosen to compare what matters and nothing else:
 * - floats and vectors as their IEEE bits, read from the typed array's memory (never through a JS
 *   number, which would make -0.0 equal 0.0 and could rewrite a NaN payload);
 * - integers of any width as int64 (an int32 field read back as int64 is the same value), int64
 *   straight from BigInt64Array memory, never a JS number;
 * - strings as UTF-8 with their length; JSON in canonical form (see canonical-json.ts);
 * - arrays element by element by their declared element type;
 * - a null as a tag alone: the placeholder a store keeps in a null slot is not data.
 */
import type { Column } from '../batch.js';
import type { ArrayElementType } from '../schema.js';
import { canonicalJson } from './canonical-json.js';

const utf8 = new TextEncoder();

/** A growable byte buffer reused for every row, so hashing a row allocates nothing. */
export class ByteSink {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  reset(): void {
    this.length = 0;
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }

  i64(v: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.length, BigInt.asIntN(64, v), true);
    this.length += 8;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }

  f32(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Bytes [start, start + n) of `src`; short runs copied by hand (a view costs more than copying a few bytes). */
  range(src: Uint8Array, start: number, n: number): void {
    this.ensure(n);
    if (n <= 16) {
      const buf = this.buf;
      let at = this.length;
      for (let i = start, end = start + n; i < end; i++) buf[at++] = src[i]!;
      this.length = at;
      return;
    }
    this.buf.set(src.subarray(start, start + n), this.length);
    this.length += n;
  }

  /** Length-prefixed UTF-8. */
  text(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.ensure(4 + s.length * 3);
    const { written } = utf8.encodeInto(s, this.buf.subarray(this.length + 4));
    this.view.setUint32(this.length, written, true);
    this.length += 4 + written;
  }

  contents(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

type Typed = ArrayBufferView & { readonly BYTES_PER_ELEMENT: number };

/** One byte view per typed array, made once: a view per row was the slowest part of hashing. */
const byteViews = new WeakMap<Typed, Uint8Array>();

function bytesOf(values: Typed): Uint8Array {
  let view = byteViews.get(values);
  if (!view) {
    view = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    byteViews.set(values, view);
  }
  return view;
}

/** Appends row `row`'s `per` elements of a typed array as their raw bytes. */
function rawBytes(values: Typed, row: number, per: number, out: ByteSink): void {
  const size = values.BYTES_PER_ELEMENT * per;
  out.range(bytesOf(values), row * size, size);
}

function isIntegerType(t: ArrayElementType | undefined): boolean {
  return t === 'int8' || t === 'int16' || t === 'int32' || t === 'int64';
}

/** One array element by its declared type; by its JS type when the schema does not say. */
function encodeElement(v: unknown, elementType: ArrayElementType | undefined, out: ByteSink): void {
  if (v === null || v === undefined) {
    out.u8(0);
    return;
  }
  if (isIntegerType(elementType) || typeof v === 'bigint') {
    out.u8(1);
    out.i64(typeof v === 'bigint' ? v : BigInt(typeof v === 'string' ? v : Math.trunc(Number(v))));
  } else if (elementType === 'float' && typeof v === 'number') {
    // A float32 element may arrive as the double it widens to, or already rounded: both round
    // to the same float32.
    out.u8(2);
    out.f32(v);
  } else if (typeof v === 'number') {
    out.u8(3);
    out.f64(v);
  } else if (typeof v === 'boolean') {
    out.u8(4);
    out.u8(v ? 1 : 0);
  } else {
    out.u8(5);
    out.text(String(v));
  }
}

/** Appends row `row` of `column` to `out`. `elementType` is the array fields' element type. */
export function encodeValue(column: Column, row: number, out: ByteSink, elementType?: ArrayElementType): void {
  if (column.valid && !column.valid[row]) {
    out.u8(0);
    return;
  }
  out.u8(1);
  switch (column.type) {
    case 'bool':
      out.u8(column.values[row] ? 1 : 0);
      return;
    case 'int8':
    case 'int16':
    case 'int32':
      out.i64(BigInt(column.values[row]!));
      return;
    case 'int64':
    case 'float':
    case 'double':
      rawBytes(column.values, row, 1, out);
      return;
    case 'varchar':
      out.text(column.values[row]!);
      return;
    case 'json':
      out.text(canonicalJson(column.values[row]!));
      return;
    case 'array': {
      const items = column.values[row]!;
      out.u32(items.length);
      for (const item of items) encodeElement(item, elementType, out);
      return;
    }
    case 'float_vector':
    case 'float16_vector':
    case 'bfloat16_vector':
    case 'int8_vector':
      rawBytes(column.values, row, column.dim, out);
      return;
    case 'binary_vector':
      rawBytes(column.values, row, column.dim / 8, out);
      return;
    case 'sparse_float_vector': {
      const { indices, values } = column.values[row]!;
      out.u32(indices.length);
      out.bytes(new Uint8Array(indices.buffer, indices.byteOffset, indices.byteLength));
      out.bytes(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      return;
    }
  }
}

/** The key of row `row` as report text: int64 in decimal (never through a JS number), strings as they are. */
export function keyText(column: Column, row: number): string {
  if (column.type === 'int64') return column.values[row]!.toString();
  if (column.type === 'varchar') return column.values[row]!;
  if (column.type === 'int32' || column.type === 'int16' || column.type === 'int8') return String(column.values[row]);
  throw new Error(`keys of type ${column.type} cannot be compared`);
}

/** The key of row `row` as bytes: the same for an int64 key whatever integer column carries it. */
export function encodeKey(column: Column, row: number, out: ByteSink): void {
  if (column.type === 'varchar') {
    out.u8(2);
    out.text(column.values[row]!);
  } else if (column.type === 'int64') {
    out.u8(1);
    rawBytes(column.values, row, 1, out);
  } else {
    out.u8(1);
    out.i64(BigInt(keyText(column, row)));
  }
}
