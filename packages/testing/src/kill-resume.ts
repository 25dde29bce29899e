/**
 * Interrupts a real `milvusdm run` at seeded moments and runs it again until it completes, as a
 * user would after kill -9, a power cut or Ctrl-C. Moments are chosen by progress, read from the
 * job's resume state (the rows it records as written), plus a seeded jitter, so a kill lands
 * anywhere: between batches, mid-request, during a state write.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cliBin } from './paths.js';

/** mulberry32: a small seeded generator, so a failing kill sequence can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface KillPlan {
  readonly seed: number;
  /** How many interruptions to try before the final, uninterrupted run. */
  readonly points: number;
  readonly signal: 'SIGKILL' | 'SIGINT';
  /** Rows of the whole job, to spread the kill points over. */
  readonly totalRows: number;
  /**
   * The share of those rows the kill points fall in (default 1). Ctrl-C lets the batch in flight
   * finish: near the end of a fast job it often comes too late to interrupt anything.
   */
  readonly spread?: number;
  /** Up to this many ms (seeded) between reaching a kill point and the kill (default 100). */
  readonly jitterMs?: number;
  /**
   * For jobs faster than the state's save interval (file to file): kill at a seeded delay of up
   * to this many ms after the state first appears, instead of at a row count.
   */
  readonly byTimeMs?: number;
}

export interface RunRecord {
  readonly threshold: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Rows the state recorded when the process was interrupted. */
  readonly rowsAtKill: number | undefined;
  readonly stderr: string;
}

export interface KillReport {
  readonly interrupted: number;
  readonly runs: RunRecord[];
  readonly final: { readonly code: number | null; readonly stderr: string };
}

/** Rows the job's state records as written, or undefined before the first state write. */
export function stateRows(stateDir: string): number | undefined {
  if (!existsSync(stateDir)) return undefined;
  const file = readdirSync(stateDir).find((f) => f.endsWith('.state.json'));
  if (!file) return undefined;
  try {
    const state = JSON.parse(readFileSync(join(stateDir, file), 'utf8')) as { datasets: Record<string, { rows: number }> };
    return Object.values(state.datasets).reduce((n, d) => n + d.rows, 0);
  } catch {
    return undefined;
  }
}

export function runCliProcess(args: readonly string[]) {
  // The state is saved every 10 ms here (1 s by default), so runs of a few seconds still get
  // killed between saves at the seeded thresholds.
  const env = { ...process.env, MILVUSDM_STATE_SAVE_MS: process.env['MILVUSDM_STATE_SAVE_MS'] ?? '10' };
  const child = spawn(process.execPath, [cliBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', () => {});
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('close', (code, signal) => r({ code, signal })),
  );
  return { child, exit, stderr: () => stderr };
}

/**
 * Runs `args` once and interrupts it with `signal` once the state records at least `threshold`
 * rows and `jitter` ms more have passed. A run that ends first is not interrupted.
 */
export async function interrupt(
  args: readonly string[],
  stateDir: string,
  threshold: number,
  jitter: number,
  signal: NodeJS.Signals,
): Promise<RunRecord & { interrupted: boolean }> {
  const run = runCliProcess(args);
  let done = false;
  let rowsAtKill: number | undefined;
  let interrupted = false;
  void run.exit.then(() => (done = true));
  while (!done) {
    const rows = stateRows(stateDir);
    if (rows !== undefined && rows >= threshold) {
      await new Promise((r) => setTimeout(r, jitter));
      if (done) break;
      rowsAtKill = stateRows(stateDir);
      run.child.kill(signal);
      interrupted = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const exit = await run.exit;
  return { threshold, code: exit.code, signal: exit.signal, rowsAtKill, stderr: run.stderr(), interrupted };
}

/**
 * Runs `args` repeatedly: each run is interrupted with `plan.signal` once the state records
 * at least the next seeded threshold (ascending) and a seeded delay of up to 0.1 s has passed (the state is saved every 10 ms here, so kills land anywhere between saves); then one
 * last run goes to the end. Returns what every run did.
 */
export async function killAndResume(args: readonly string[], stateDir: string, plan: KillPlan): Promise<KillReport> {
  const random = seeded(plan.seed);
  const thresholds = Array.from({ length: plan.points }, () =>
    plan.byTimeMs ? 0 : Math.floor(random() * plan.totalRows * (plan.spread ?? 1)),
  ).sort((a, b) => a - b);
  const runs: RunRecord[] = [];
  let interrupted = 0;
  for (const threshold of thresholds) {
    const run = await interrupt(args, stateDir, threshold, Math.floor(random() * (plan.byTimeMs ?? plan.jitterMs ?? 100)), plan.signal);
    runs.push(run);
    // A Ctrl-C that lands while the last batch is being written lets the run finish (exit 0):
    // the signal came too late to interrupt anything, so it does not count as an interruption.
    // So does a signal that arrives once the run has reported it is done: Node restores the default
    // handlers while it exits, so such a late signal can still end the process, with nothing left to do.
    const finished = run.code === 0 || /^done: \d+ rows/m.test(run.stderr);
    if (run.interrupted && !finished) interrupted++;
    // The run reached the end before its kill point: the job is complete, nothing to resume.
    if (finished) return { interrupted, runs, final: { code: 0, stderr: run.stderr } };
  }
  const last = runCliProcess(args);
  const exit = await last.exit;
  return { interrupted, runs, final: { code: exit.code, stderr: last.stderr() } };
}

/**
 * Throws, with every run's threshold, exit and rows, unless the job ended complete after at least
 * one real interruption, each interruption looked as documented (kill -9: killed; Ctrl-C: exit 1
 * with MDM_ABORTED, or ended by the signal before it printed anything, while Node was starting),
 * and no state was left behind. Prints one line for the record (scripts/soak.sh collects them).
 */
export function checkResumedCleanly(report: KillReport, plan: KillPlan, stateDir: string): void {
  const detail = JSON.stringify(report.runs.map((r) => ({ threshold: r.threshold, code: r.code, signal: r.signal, rows: r.rowsAtKill })));
  const fail = (what: string, stderr = '') => {
    throw new Error(`${what}\n${stderr ? `${stderr}\n` : ''}runs: ${detail}`);
  };
  if (report.final.code !== 0) fail(`the last run exited ${report.final.code}`, report.final.stderr);
  for (const run of report.runs.slice(0, report.interrupted)) {
    if (plan.signal === 'SIGKILL') {
      if (run.signal !== 'SIGKILL') fail(`a run meant to be killed ended with ${run.signal ?? `exit ${run.code}`}`, run.stderr);
    } else if (run.signal === 'SIGINT') {
      if (run.stderr !== '') fail('a run ended by Ctrl-C itself had already printed', run.stderr);
    } else if (run.code !== 1 || !/error MDM_ABORTED: /.test(run.stderr)) {
      fail(`a run stopped by Ctrl-C exited ${run.code} without MDM_ABORTED`, run.stderr);
    }
  }
  // At least one interruption really happened mid-run, or the test proves nothing.
  if (report.interrupted === 0) fail('no run was interrupted before it finished');
  console.log(
    `${plan.signal} seed ${plan.seed}: ${report.interrupted} interruption(s), rows recorded at each: ${report.runs.map((r) => r.rowsAtKill ?? '-').join(', ')}`,
  );
  // A finished job leaves no state behind: the next run of it starts afresh.
  const left = existsSync(stateDir) ? readdirSync(stateDir).filter((f) => f.endsWith('.state.json')) : [];
  if (left.length > 0) fail(`the finished job left its state behind: ${left.join(', ')}`);
}

/**
 * Runs `args` once and interrupts it with `signal` once its stderr has shown `pattern` at least
 * `times` times and `jitter` ms more have passed: for moments the state does not record, such
 * as the steps a writer takes after the last row (a partition overwrite's replace).
 */
export async function interruptOnOutput(
  args: readonly string[],
  pattern: RegExp,
  times: number,
  jitter: number,
  signal: NodeJS.Signals,
): Promise<RunRecord & { interrupted: boolean }> {
  const run = runCliProcess(args);
  let done = false;
  let interrupted = false;
  void run.exit.then(() => (done = true));
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  while (!done) {
    if ((run.stderr().match(global)?.length ?? 0) >= times) {
      await new Promise((r) => setTimeout(r, jitter));
      if (done) break;
      run.child.kill(signal);
      interrupted = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const exit = await run.exit;
  return { threshold: times, code: exit.code, signal: exit.signal, rowsAtKill: undefined, stderr: run.stderr(), interrupted };
}
