/**
 * Keeps V8's young generation small once it has grown to `MILVUSDM_YOUNG_GENERATION_MIB`
 * (default 4; 0 leaves V8's own sizing, up to 32 MiB).
 *
 * Why: a run's batches are typed arrays whose memory lives outside V8's heap and is freed only
 * when the small objects owning it are collected. A pipeline allocates few JS objects, so with
 * V8's full-size young generation its scavenges are rare, and the dead arrays — the HDF5
 * reader's copy of each batch, gRPC's framed copy of each request, two copies of every byte
 * sent — pile up until external memory forces a mark-compact of the whole heap. With a 4 MiB
 * young generation, scavenges come often enough to free most of them within a few batches (what
 * outlives a few scavenges still waits for a mark-compact). Measured on a 1M × 128 H2M
 * into Milvus 2.3 (bench/README.md, "Peak RSS at 1M: the young generation kept at 4 MiB"):
 * peak RSS 332–337 MiB without the cap, 265–282 MiB with it in most runs (318 in the worst seen),
 * for ~4 % more client CPU; kept at its starting size (1 MiB a semi-space) instead, the batches in
 * flight were promoted and client CPU rose by a fifth.
 *
 * How: Node takes `--max-semi-space-size` only when it starts (a flag on the command line or in
 * NODE_OPTIONS), but V8 reads its growth factor each time it grows the young generation; so
 * after each collection its size is looked at, and once it has reached the cap the factor is
 * set to 1 (again after a worker thread starts: making an isolate resets V8's flags). Where a V8
 * does not take the flag any more, the young generation sizes itself as by default: nothing else
 * depends on it.
 */
import { subscribe } from 'node:diagnostics_channel';
import { PerformanceObserver } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

const DEFAULT_MIB = 4;

/** Node options that size the young generation themselves: given to Node, they win. */
const NODE_SIZING = /--(max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/;

/**
 * The cap in bytes from the environment: undefined when it is 0 (V8's own sizing), or when Node
 * was started with a young-generation size of its own (in its arguments or NODE_OPTIONS).
 */
export function youngGenerationCap(
  env: NodeJS.ProcessEnv = process.env,
  execArgv: readonly string[] = process.execArgv,
): number | undefined {
  if (execArgv.some((a) => NODE_SIZING.test(a)) || NODE_SIZING.test(env.NODE_OPTIONS ?? '')) return undefined;
  const raw = env.MILVUSDM_YOUNG_GENERATION_MIB;
  const mib = raw === undefined || raw.trim() === '' ? DEFAULT_MIB : Number(raw);
  if (!Number.isFinite(mib) || mib < 0) {
    throw new Error(`MILVUSDM_YOUNG_GENERATION_MIB: expected a number of MiB (0 for V8's own sizing), got ${JSON.stringify(raw)}`);
  }
  return mib === 0 ? undefined : mib * 2 ** 20;
}

/** The young generation's size now (both semi-spaces), in bytes. */
export function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

const HOLD = '--semi-space-growth-factor=1';

/**
 * Starts watching; `onCapped` (for tests) is told the size at which growth stopped.
 *
 * V8 puts its flags back in order whenever an isolate is made — a worker thread, such as the
 * repeated-key worker, resets the factor to its minimum of 2 — so the factor is set again when
 * a worker comes online, and after every collection that finds the young generation at the cap.
 */
export function capYoungGeneration(capBytes: number | undefined, onCapped?: (bytes: number) => void): void {
  if (capBytes === undefined) return;
  let capped = false;
  new PerformanceObserver(() => {
    const bytes = youngGenerationBytes();
    if (bytes < capBytes) return;
    setFlagsFromString(HOLD);
    if (!capped) {
      capped = true;
      onCapped?.(bytes);
    }
  }).observe({ entryTypes: ['gc'] });
  subscribe('worker_threads', (message) => {
    const worker = (message as { worker?: Worker }).worker;
    worker?.once('online', () => {
      if (capped) setFlagsFromString(HOLD);
    });
  });
}
