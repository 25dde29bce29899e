/**
 * Two test projects: `unit` (pure, fast, no servers) and `integration` (real Milvus servers,
 * started once by the global set-up; real files; the real CLI). Tests import the packages'
 * built output, so `pnpm test` builds first.
 */
import { defineConfig } from 'vitest/config';
import LongestFirst from './scripts/longest-first.js';
import SlowestTestFiles from './scripts/slowest-test-files.js';

const packages = ['packages', 'apps', 'examples'];

export default defineConfig({
  test: {
    // The usual output, then the slowest files (what keeps CI within its time budget).
    reporters: ['default', new SlowestTestFiles()],
    // The longest files first, by the durations of a full run (scripts/longest-first.ts).
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        test: {
          name: 'unit',
          include: packages.map((p) => `${p}/**/test/**/*.test.ts`),
          exclude: ['**/node_modules/**', '**/*.integration.test.ts'],
          globalSetup: ['packages/testing/dist/tmp-root-setup.js'],
          // Unit tests first, then the integration group with its own worker limit.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: packages.map((p) => `${p}/**/test/**/*.integration.test.ts`),
          exclude: ['**/node_modules/**'],
          globalSetup: ['packages/testing/dist/tmp-root-setup.js', 'packages/testing/dist/global-setup.js'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          // Test files at a time sharing the servers. Most of a file's time is spent waiting on a
          // server or a child process, so three keep two cores busy (two left them a third idle);
          // MILVUSDM_TEST_WORKERS overrides it.
          maxWorkers: Number(process.env['MILVUSDM_TEST_WORKERS'] ?? 3),
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
