/**
 * Every committed fixture, from both Faiss writers (faiss-cpu 1.15.1 and Debian's 1.7.3), read
 * through the plugin and compared with what Faiss itself returned for it (ids and vectors,
 * written by fixtures/generate.py): byte for byte, in Faiss's own order. Lossy types are
 * compared with Faiss's `reconstruct` output, also bit for bit (the decoders follow Faiss's
 * float32 arithmetic); refusals are checked by code and message.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtures, readAll, writers, type Fixture } from './helpers/fixtures.js';
import { npyInt64, readNpy } from './helpers/npy.js';

function options(f: Fixture): Record<string, unknown> {
  return { path: join(f.dir, f.file), ...(f.lossy ? { allow_lossy: true } : {}), ...(f.metric > 1 ? { metric: 'L2' } : {}) };
}

/** Indexes of the first differing float32 components, for a readable failure. */
function firstDifferences(actual: Uint8Array, expected: Uint8Array, max = 5): string[] {
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.byteLength / 4);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.byteLength / 4);
  const out: string[] = [];
  for (let i = 0; i < Math.min(a.length, e.length) && out.length < max; i++) {
    if (a[i] !== e[i])
      out.push(
        `#${i}: ${new Float32Array(a.buffer, a.byteOffset + i * 4, 1)[0]} vs ${new Float32Array(e.buffer, e.byteOffset + i * 4, 1)[0]}`,
      );
  }
  return out;
}

for (const writer of writers()) {
  describe(`fixtures written by ${writer}`, () => {
    for (const f of fixtures(writer)) {
      if (f.reader) {
        it(`${f.name}: refused with ${f.reader.error} (${f.note})`, async () => {
          const run = readAll({ path: join(f.dir, f.file), allow_lossy: true });
          await expect(run).rejects.toMatchObject({ code: f.reader!.error });
          await expect(run).rejects.toThrow(f.reader!.match);
          await expect(run).rejects.toThrow(join(f.dir, f.file));
        });
        continue;
      }
      it(`${f.name}: ${f.expected!.rows} rows equal Faiss's own (${f.note})`, async () => {
        const ids = npyInt64(readNpy(join(f.dir, f.expected!.ids)));
        const vectors = readNpy(join(f.dir, f.expected!.vectors));
        // Small batches: lists and id maps are crossed at every possible boundary.
        const got = await readAll(options(f), 7);
        expect(got.ids.length).toBe(ids.length);
        expect(got.ids).toEqual(ids);
        expect(got.dim).toBe(f.d);
        expect(got.type).toBe(f.family === 'binary' ? 'binary_vector' : 'float_vector');
        if (f.family === 'float' && !Buffer.from(got.vectors).equals(Buffer.from(vectors.bytes))) {
          expect(firstDifferences(got.vectors, vectors.bytes)).toEqual([]);
        }
        expect(Buffer.from(got.vectors).equals(Buffer.from(vectors.bytes))).toBe(true);
      });
    }
  });
}
