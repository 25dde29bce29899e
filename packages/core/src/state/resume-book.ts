/**
 * The runner's side of resuming: loads the state an interrupted run left (refusing it when the
 * job or the source changed), answers what each dataset already has, and records every commit.
 */
import { MilvusdmError } from '../errors.js';
import type { ColumnBatch } from '../batch.js';
import type { ReaderSource } from '../plugin.js';
import { fingerprintChanges, fingerprintOf } from './fingerprint.js';
import { STATE_VERSION, readRunState, removeRunState, writeRunState, type DatasetState, type RunState } from './run-state.js';

export interface ResumeSettings {
  /** The state file of this job. */
  readonly stateFile: string;
  /** sha256 of the job's content: a different job must not continue another's state. */
  readonly jobHash: string;
  /** Start over: forget the state of an interrupted run. */
  readonly restart: boolean;
  /** The output folder name of a legacy M2H run (kept so a resumed run continues the same files). */
  readonly runId?: string;
  /** The job file, for messages. */
  readonly jobFile?: string;
  /**
   * Remove the state as soon as the job succeeds (the default). The CLI keeps it, marked
   * finished, until it has verified and reported the result, then removes it itself.
   */
  readonly removeWhenFinished?: boolean;
}

/**
 * Saves are at most about this far apart in time unless `recordEveryRows` comes first: 2 s, or
 * $MILVUSDM_STATE_SAVE_MS (10 to 60000; the kill tests save more often so short runs get killed
 * between saves too). Each save waits for two fsyncs, which a busy disk (a local Milvus writing
 * beside the run) makes take 15 ms or more: once a second (or every 50,000 rows) that was 2 % of
 * a run into Milvus 2.3; a kill now costs at most about 2 s of work to redo.
 */
const SAVE_INTERVAL_MS = saveInterval(process.env['MILVUSDM_STATE_SAVE_MS']);

function saveInterval(value: string | undefined): number {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n >= 10 && n <= 60_000 ? n : 2000;
}
/**
 * Rows committed between two saves at most (kept in the state, since a resumed writer relies on
 * it: it upserts that many rows after the recorded ones). Saved at half of it: 125,000 rows.
 */
export const RECORD_EVERY_ROWS = 250_000;

const RESTART_HINT =
  'Run the same command with --restart to start over (then use mode: overwrite, or remove what the interrupted run wrote, so no row is doubled).';

export class ResumeBook {
  private lastSave = 0;
  private rowsSinceSave = 0;
  private dirty = false;
  /** A save is queued for the end of the current burst of commits. */
  private saveQueued = false;
  /** Why a queued save failed: thrown to the writer at its next report, as a save made there would have been. */
  private saveFailure: unknown;

  private constructor(
    private readonly settings: ResumeSettings,
    private readonly state: RunState,
    /** True when an interrupted run's state was found and accepted. */
    readonly resuming: boolean,
  ) {}

  static async open(settings: ResumeSettings, source: ReaderSource): Promise<ResumeBook> {
    const fingerprint = await fingerprintOf(source);
    const now = new Date().toISOString();
    const fresh: RunState = {
      version: STATE_VERSION,
      jobHash: settings.jobHash,
      ...(settings.runId !== undefined ? { runId: settings.runId } : {}),
      fingerprint,
      recordEveryRows: RECORD_EVERY_ROWS,
      startedAt: now,
      updatedAt: now,
      datasets: {},
    };
    if (settings.restart) {
      removeRunState(settings.stateFile);
      return new ResumeBook(settings, fresh, false);
    }
    const old = readRunState(settings.stateFile);
    if (!old || Object.keys(old.datasets).length === 0) return new ResumeBook(settings, fresh, false);
    // A finished run of another job, or of a changed source, leaves nothing to resume.
    if (old.finishedAt !== undefined && (old.jobHash !== settings.jobHash || fingerprintChanges(old.fingerprint, fingerprint).length > 0)) {
      return new ResumeBook(settings, fresh, false);
    }
    const job = settings.jobFile ?? 'the job';
    if (old.jobHash !== settings.jobHash) {
      throw new MilvusdmError(
        'MDM_RESUME',
        `${job} changed since its interrupted run of ${old.startedAt} (state ${settings.stateFile}); it cannot be resumed`,
        { hint: RESTART_HINT },
      );
    }
    const changes = fingerprintChanges(old.fingerprint, fingerprint);
    if (changes.length > 0) {
      throw new MilvusdmError(
        'MDM_RESUME',
        `the source of ${job} changed since its interrupted run of ${old.startedAt}: ${changes.join('; ')}`,
        { hint: RESTART_HINT },
      );
    }
    return new ResumeBook(settings, old, true);
  }

  get stateFile(): string {
    return this.settings.stateFile;
  }

  /** Rows after a dataset's recorded `rows` that an earlier run may have committed without recording. */
  get unrecordedRows(): number {
    return typeof this.state.recordEveryRows === 'number' ? this.state.recordEveryRows : RECORD_EVERY_ROWS;
  }

  /** What earlier runs left of a dataset, if anything. */
  dataset(key: string): Readonly<DatasetState> | undefined {
    return this.state.datasets[key];
  }

  begun(key: string, token: unknown): void {
    const prior = this.state.datasets[key];
    this.state.datasets[key] = prior ?? { status: 'writing', rowsAtCursor: 0, rows: 0 };
    if (!prior && token !== undefined) this.state.datasets[key]!.token = token;
    this.save();
  }

  skipped(key: string, reason: string): void {
    this.state.datasets[key] = { status: 'skipped', rowsAtCursor: 0, rows: 0, skipped: reason };
    this.save();
  }

  /**
   * Called once the writer reports a batch durable, with the source rows read up to its cursor
   * (more than the rows written when the screen skipped some). Saved about once a second, and always before
   * `recordEveryRows` rows go unrecorded: a resumed writer's overlap depends on that bound.
   */
  committed(key: string, batch: ColumnBatch, sourceRowsAtCursor?: number): void {
    if (this.saveFailure !== undefined) throw this.saveFailure;
    const d = this.state.datasets[key]!;
    d.rows += batch.numRows;
    if (batch.cursor !== undefined) {
      d.cursor = batch.cursor;
      d.rowsAtCursor = d.rows;
      if (sourceRowsAtCursor !== undefined) d.sourceRowsAtCursor = sourceRowsAtCursor;
      else delete d.sourceRowsAtCursor;
    }
    this.dirty = true;
    this.rowsSinceSave += batch.numRows;
    // Save before the next batch would pass the bound (batches are at most one request apart).
    if (this.saveQueued || (this.rowsSinceSave < this.unrecordedRows / 2 && performance.now() - this.lastSave < SAVE_INTERVAL_MS)) return;
    // Saved once the writer's current burst of reports is over: a file writer reports every batch
    // since its last flush at once (50 batches of 10,000 rows a second, say). Those rows became
    // durable together, so a save after each would record nothing a kill could not also take
    // from the next: one save (two fsyncs) after the burst guards them as well. A microtask runs
    // before the event loop turns again (no I/O completes, no request is answered, no timer
    // fires first), so the state is on disk before another commit can come, as with a save here.
    this.saveQueued = true;
    queueMicrotask(() => {
      this.saveQueued = false;
      try {
        if (this.dirty) this.save();
      } catch (e) {
        this.saveFailure ??= e;
      }
    });
  }

  /** Saves what is not saved yet: on the way out of a failed or interrupted run, so the next one redoes nothing. */
  flush(): void {
    if (this.dirty) this.save();
  }

  done(key: string): void {
    this.state.datasets[key]!.status = 'done';
    this.save();
  }

  /** True when the interrupted run had written everything and was stopped while reporting. */
  get finishedBefore(): boolean {
    return this.resuming && this.state.finishedAt !== undefined;
  }

  /** The whole job succeeded: nothing left to resume (see `removeWhenFinished`). */
  finish(): void {
    if (this.settings.removeWhenFinished === false) {
      this.state.finishedAt = new Date().toISOString();
      this.save();
    } else removeRunState(this.settings.stateFile);
  }

  private save(): void {
    this.state.updatedAt = new Date().toISOString();
    writeRunState(this.settings.stateFile, this.state);
    this.lastSave = performance.now();
    this.rowsSinceSave = 0;
    this.dirty = false;
  }
}
