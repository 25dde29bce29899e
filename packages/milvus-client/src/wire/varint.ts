/**
 * Protobuf varints for packed int64/int32/bool arrays, written and read through 32-bit halves
 * so no id ever becomes a JS number (exact only below 2^53) and no BigInt math runs per byte.
 */

/** Worst case: 10 bytes per value. */
export function encodePackedInt64(values: BigInt64Array): Uint8Array {
  const halves = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const out = new Uint8Array(values.length * 10);
  let pos = 0;
  for (let i = 0; i < values.length; i++) {
    pos = writeVarint64(out, pos, halves[2 * i]!, halves[2 * i + 1]!);
  }
  return out.subarray(0, pos);
}

/** int32 values as protobuf int32: negatives are sign-extended to 64 bits (10 bytes). */
export function encodePackedInt32(values: Int8Array | Int16Array | Int32Array): Uint8Array {
  const out = new Uint8Array(values.length * 10);
  let pos = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    pos = writeVarint64(out, pos, v >>> 0, v < 0 ? 0xffffffff : 0);
  }
  return out.subarray(0, pos);
}

function writeVarint64(out: Uint8Array, pos: number, lo: number, hi: number): number {
  while (hi !== 0 || lo > 127) {
    out[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  out[pos++] = lo;
  return pos;
}

/** Reads one varint at `pos`; returns the position after it. Halves land in `into[0..1]`. */
export function readVarint64(bytes: Uint8Array, pos: number, into: Uint32Array): number {
  let lo = 0;
  let hi = 0;
  let shift = 0;
  let b: number;
  // Low 28 bits from the first four bytes.
  do {
    if (pos >= bytes.length) throw new RangeError('truncated varint');
    b = bytes[pos++]!;
    if (shift < 28) lo |= (b & 0x7f) << shift;
    else if (shift === 28) {
      lo |= (b & 0x0f) << 28;
      hi |= (b & 0x7f) >>> 4;
    } else hi |= (b & 0x7f) << (shift - 32);
    shift += 7;
  } while (b & 0x80);
  into[0] = lo >>> 0;
  into[1] = hi >>> 0;
  return pos;
}

/** Decodes a packed run of int64 varints. */
export function decodePackedInt64(bytes: Uint8Array): BigInt64Array {
  const values: number[] = [];
  const pair = new Uint32Array(2);
  for (let pos = 0; pos < bytes.length;) {
    pos = readVarint64(bytes, pos, pair);
    values.push(pair[0]!, pair[1]!);
  }
  return new BigInt64Array(Uint32Array.from(values).buffer);
}

/** Decodes a packed run of int32 varints (sign-extended on the wire). */
export function decodePackedInt32(bytes: Uint8Array): Int32Array {
  const values: number[] = [];
  const pair = new Uint32Array(2);
  for (let pos = 0; pos < bytes.length;) {
    pos = readVarint64(bytes, pos, pair);
    values.push(pair[0]! | 0);
  }
  return Int32Array.from(values);
}

export function decodePackedBool(bytes: Uint8Array): Uint8Array {
  // Every bool varint is one byte (0 or 1) when packed.
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] ? 1 : 0;
  return out;
}
