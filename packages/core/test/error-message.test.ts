import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MilvusdmError, asMilvusdmError, describeSystemError, errorMessage } from '../src/errors.js';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('errorMessage', () => {
  it('gives the reason of a status object the Milvus SDK throws, never [object Object]', () => {
    const status = {
      extra_info: {},
      error_code: 6,
      reason: "field 'embedding' uses Milvus type BinaryVector which MilvusLite does not support.",
      code: 6,
      retriable: false,
      detail: '',
    };
    expect(errorMessage(status)).toBe("field 'embedding' uses Milvus type BinaryVector which MilvusLite does not support.");
    expect(errorMessage({ error_code: 'UnexpectedError', reason: '', code: 65535 })).toBe('error code UnexpectedError without a reason');
    expect(errorMessage({ status: { reason: 'collection not found' } })).toBe('collection not found');
    expect(errorMessage({ weird: 1 })).toBe('{"weird":1}');
    expect(errorMessage('plain')).toBe('plain');
  });
  it("prefers a gRPC error's details and keeps it on one line", () => {
    const e = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: 14,
      details: 'No connection established.\nLast error: connect ECONNREFUSED',
      metadata: {},
    });
    expect(errorMessage(e)).toBe('No connection established. Last error: connect ECONNREFUSED');
  });
  it('says what a file-system error means, with the path (real errors)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdm-err-'));
    writeFileSync(join(dir, 'file'), 'x');
    expect(errorMessage(thrown(() => mkdirSync(join(dir, 'file', 'sub'))))).toBe(
      `cannot write ${join(dir, 'file', 'sub')}: a part of the path is not a folder`,
    );
    const missing = join(dir, 'missing', 'x.h5');
    const enoent = await writeFile(missing, 'x').catch((e: unknown) => e);
    expect(errorMessage(enoent)).toBe(`cannot open ${missing}: no such file or folder`);
    // /dev/full answers every write with ENOSPC, as a full disk does.
    const enospc = await writeFile('/dev/full', 'x').catch((e: unknown) => e);
    expect(errorMessage(enospc)).toMatch(
      /^(cannot write|write failed on|cannot open).*: no space left on the device$|^write: no space left on the device$/,
    );
    const asError = asMilvusdmError(enospc);
    expect([asError.code, asError.exitCode]).toEqual(['MDM_IO', 1]);
  });
  it('keeps known errors and calls the rest internal', () => {
    const known = new MilvusdmError('MDM_SOURCE', 'x.h5: truncated');
    expect(asMilvusdmError(known)).toBe(known);
    expect(asMilvusdmError(new TypeError('boom'))).toMatchObject({ code: 'MDM_INTERNAL', message: 'boom', exitCode: 1 });
    expect(describeSystemError(new Error('no'))).toBeUndefined();
  });
});
