/** Writes each expected dataset as `<collection>__<tag>.ids.npy` + `.vectors.npy`. */
import { join } from 'node:path';
import { writeNpy } from '../npy.js';
import type { ExpectedDataset } from './build.js';

export function expectedFileStem(d: Pick<ExpectedDataset, 'collection' | 'partition'>): string {
  return `${d.collection}__${d.partition ?? '_default'}`;
}

export async function writeExpectedNpy(dir: string, datasets: readonly ExpectedDataset[]): Promise<Map<string, string>> {
  const stems = new Map<string, string>();
  for (const d of datasets) {
    if (!d.ids || !d.vectors) throw new Error(`${d.key}: built with keepExpected: false`);
    const stem = join(dir, expectedFileStem(d));
    await writeNpy(`${stem}.ids.npy`, d.ids, [d.rows]);
    await writeNpy(`${stem}.vectors.npy`, d.vectors, [d.rows, d.binary ? d.dim / 8 : d.dim]);
    stems.set(d.key, stem);
  }
  return stems;
}
