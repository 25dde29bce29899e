/**
 * `milvusdm dump` of a Milvus 1.x directory, restored into Milvus Lite: every live row of every
 * partition, deleted rows never, checked with pymilvus against what the directory holds.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli, tempDir } from '@milvusdm/testing';
import { buildFixture, expectedH5, uniqueNames, verifyMilvus, type Fixture } from './jobs.js';
import { removeScratch } from './helpers.js';

const fixtures: Fixture[] = [];
afterAll(async () => {
  for (const f of fixtures) await f.drop();
  removeScratch();
});

describe('dump of a Milvus 1.x directory', () => {
  it('archives the float collection and restores it exactly, partition by partition', async () => {
    const uri = inject('milvusLiteUri');
    const f = await buildFixture('sqlite', uniqueNames('dump1x'));
    fixtures.push(f);
    const archive = join(tempDir(), 'archive');
    const dumped = await runCli(['dump', '--from', f.built.root, '--to', archive, '--collections', f.names.float, '--log-dir', tempDir()]);
    expect(dumped.code, dumped.stderr).toBe(0);
    expect(existsSync(join(archive, 'manifest.json'))).toBe(true);
    const restored = await runCli(['restore', '--from', archive, '--to', uri, '--log-dir', tempDir()]);
    expect(restored.code, restored.stderr).toBe(0);
    const live = f.built.expected.filter((d) => d.collection === f.names.float && d.rows > 0);
    expect(live.length).toBeGreaterThan(1);
    const h5 = await expectedH5(live);
    for (const d of live) {
      const v = await verifyMilvus(uri, d, h5.get(d.key)!);
      expect(v, d.key).toMatchObject({ ok: true, expected: d.rows, counted: d.rows });
    }
  });
});
