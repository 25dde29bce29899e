/** The free-space check file targets run before writing: asked of the real file system. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureFreeSpace, estimatedRowBytes, formatBytes, freeBytes } from '../src/index.js';

describe('free space before writing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'milvusdm-space-'));

  it('reads the free bytes of a real folder, and says nothing of one that does not exist', async () => {
    expect(await freeBytes(dir)).toBeGreaterThan(0);
    expect(await freeBytes(join(dir, 'missing', 'deeper'))).toBeUndefined();
  });

  it('passes what fits, refuses what cannot in one line naming the folder and both sizes', async () => {
    await expect(ensureFreeSpace(dir, 1000, 'one file')).resolves.toBeUndefined();
    const free = (await freeBytes(dir))!;
    const refused = ensureFreeSpace(dir, free * 2, 'collection c (10 rows)');
    await expect(refused).rejects.toMatchObject({ code: 'MDM_IO' });
    await expect(refused).rejects.toThrow(new RegExp(`^${dir}: collection c \\(10 rows\\) needs about .* but only .* is free$`));
  });

  it('counts the bytes a row certainly takes; keys the server assigns are not stored', () => {
    const schema = {
      fields: [
        { name: 'id', type: 'int64' as const, isPrimaryKey: true, autoId: true },
        { name: 'v', type: 'float_vector' as const, dim: 128 },
        { name: 'b', type: 'binary_vector' as const, dim: 64 },
        { name: 'n', type: 'int32' as const },
        { name: 's', type: 'varchar' as const, maxLength: 10 },
      ],
    };
    expect(estimatedRowBytes(schema)).toBe(512 + 8 + 4); // the string's size is not certain: not counted
  });

  it('prints sizes for people', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3 * 1024 * 1024 * 1024)).toBe('3.0 GiB');
  });
});
