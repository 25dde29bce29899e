import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMilvusdmError } from '../src/errors.js';
import { loadJobFile, parseYaml } from '../src/job/load.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'mdm-job-')), 'job.yaml');
  writeFileSync(path, text);
  return path;
}

async function failure(text: string): Promise<{ code: string; exitCode: number; message: string }> {
  try {
    await loadJobFile(file(text));
  } catch (e) {
    if (isMilvusdmError(e)) return { code: e.code, exitCode: e.exitCode, message: e.message };
    throw e;
  }
  throw new Error('expected the job to be refused');
}

describe('milvusdm job files', () => {
  it('splits source and target into type and options, with run defaults', async () => {
    const job = await loadJobFile(file('source: {type: hdf5, path: a.h5}\ntarget: {type: milvus, uri: "http://h:1", mode: upsert}\n'));
    expect(job.source).toEqual({ type: 'hdf5', options: { path: 'a.h5' } });
    expect(job.target).toEqual({ type: 'milvus', options: { uri: 'http://h:1', mode: 'upsert' } });
    expect(job.run).toEqual({ batchRows: 10000, prefetch: 2 });
    expect(job.format).toBe('milvusdm');
  });

  it('names the file, line and column of a YAML syntax error, exit code 2', async () => {
    const f = await failure('source:\n  type: hdf5\n   path: [a\n');
    expect(f).toMatchObject({ code: 'MDM_JOB_FILE', exitCode: 2 });
    expect(f.message).toMatch(/job\.yaml:\d+:\d+: /);
  });

  it('refuses duplicate keys', async () => {
    expect((await failure('source: {type: a}\nsource: {type: b}\ntarget: {type: c}\n')).message).toMatch(/unique|duplicate/i);
  });

  it('names a missing type and unknown keys', async () => {
    expect((await failure('source: {path: x}\ntarget: {type: hdf5}\n')).message).toMatch(/source\.type: is required/);
    // A key of the file itself: the message names the file, then the key, with nothing between.
    expect((await failure('source: {type: a}\ntarget: {type: b}\nsink: {}\n')).message).toMatch(/\.yaml: unknown key "sink"$/);
    expect((await failure('source: {type: a}\ntarget: {type: b}\nrun: {batch_rows: 0}\n')).message).toMatch(/run\.batch_rows: /);
  });

  it('refuses a missing file and an empty one', async () => {
    await expect(loadJobFile('/nonexistent/job.yaml')).rejects.toThrow(/job\.yaml: no such file/);
    expect((await failure('')).message).toMatch(/the file is empty/);
  });

  it('loads YAML safely: no custom tags, bounded aliases', () => {
    // An unknown tag constructs nothing: the value stays plain data.
    expect(parseYaml('a: !!js/function "function(){}"\n', 'x.yaml')).toEqual({ a: 'function(){}' });
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [*${'abcdefgh'[i]}, *${'abcdefgh'[i]}, *${'abcdefgh'[i]}, *${'abcdefgh'[i]}, *${'abcdefgh'[i]}, *${'abcdefgh'[i]}, *${'abcdefgh'[i]}, *${'abcdefgh'[i]}, *${'abcdefgh'[i]}]`,
      ),
    ].join('\n');
    expect(() => parseYaml(bomb, 'bomb.yaml')).toThrow(/bomb\.yaml/);
  });
});
