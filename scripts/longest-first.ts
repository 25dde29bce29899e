/**
 * Runs the longest test files first. Integration files run three at a time, and one long file
 * started last decides when the run ends: started first, the short files fill in around it.
 * vitest orders by the durations it cached on the last run, but a clean clone (CI) has none and
 * it falls back to file size, which says little about time here. So the order comes from the
 * durations of a full run, kept in test-durations.json (`node scripts/test-durations.mjs`
 * writes it from vitest's cache after a full run). Files it does not know — new ones — go first.
 */
import { readFileSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Seconds per file, keyed `project:path` as vitest's cache keys them. */
const durations = JSON.parse(readFileSync(new URL('./test-durations.json', import.meta.url), 'utf8')) as Record<string, number>;

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const root = this.ctx.config.root;
    const seconds = (f: TestSpecification) => durations[`${f.project.name}:${f.moduleId.slice(root.length + 1)}`] ?? Infinity;
    const position = new Map(base.map((f, i) => [f, i]));
    // Within a project only: vitest's own order keeps projects (and their group order) apart.
    const sorted = [...base].sort((a, b) => {
      if (a.project.name !== b.project.name) return position.get(a)! - position.get(b)!;
      return seconds(b) - seconds(a) || position.get(a)! - position.get(b)!;
    });
    if (process.env['MILVUSDM_TEST_ORDER'] === '1') {
      for (const f of sorted) process.stderr.write(`order: ${f.project.name} ${f.moduleId.slice(root.length + 1)} ${seconds(f)}\n`);
    }
    return sorted;
  }
}
