/**
 * A vitest reporter that ends every run with the slowest test files and their wall times: CI
 * keeps only the tail of its log, and this is what keeping `.ci/run` within its time budget is
 * decided on.
 */
import type { Reporter, TestModule } from 'vitest/node';

const SHOWN = 15;
/** As vitest.config.ts sets the integration project's maxWorkers. */
const INTEGRATION_WORKERS = Number(process.env['MILVUSDM_TEST_WORKERS'] ?? 3);

export default class SlowestTestFiles implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const rows = modules
      .map((m) => ({ file: m.relativeModuleId, project: m.project.name, ms: m.diagnostic().duration }))
      .sort((a, b) => b.ms - a.ms);
    if (rows.length === 0) return;
    const total = rows.reduce((n, r) => n + r.ms, 0);
    console.log(
      `\nSlowest test files (wall time of each; integration files run ${INTEGRATION_WORKERS} at a time; all files: ${(total / 1000).toFixed(0)} s):`,
    );
    for (const r of rows.slice(0, SHOWN)) console.log(`  ${(r.ms / 1000).toFixed(1).padStart(7)} s  ${r.project.padEnd(11)} ${r.file}`);
  }
}
