/**
 * int64 helpers. Ids travel as bigint (BigInt64Array columns) and as decimal strings on the
 * wire and in logs; they never pass through a JS number, which is exact only below 2^53.
 */
import { MilvusdmError } from './errors.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Parses a decimal int64, rejecting anything out of range or not an integer. */
export function parseInt64(text: string, what: string): bigint {
  if (!/^-?\d+$/.test(text)) throw new MilvusdmError('MDM_SOURCE', `${what}: "${text}" is not an integer`);
  const v = BigInt(text);
  if (v < INT64_MIN || v > INT64_MAX) throw new MilvusdmError('MDM_SOURCE', `${what}: ${text} does not fit in int64`);
  return v;
}

/** A BigInt64Array from decimal strings (as the Milvus SDK returns int64 values). */
export function int64FromStrings(values: readonly (string | number | bigint)[], what: string): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (typeof v === 'bigint') out[i] = v;
    else if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new MilvusdmError('MDM_SOURCE', `${what}: ${v} lost precision before it reached milvusdm`);
      out[i] = BigInt(v);
    } else out[i] = parseInt64(v, what);
  }
  return out;
}

export { INT64_MIN, INT64_MAX };
