/**
 * The validation stage: every batch is screened before the writer sees it, so a value the
 * target cannot store is found before it is sent, not by the server half-way through a run
 * (Milvus 2.3 rejects NaN mid-run; Milvus Lite stores it). Each problem names the source, the
 * row (0-based, counted from the dataset's first row read in this run) and the key.
 *
 * Checks: NaN and ±Inf in float, float16, bfloat16 and sparse vectors (unless the writer says its
 * target stores them: `storesNonFinite`, files); varchar values longer (in
 * UTF-8 bytes) than the target's max_length; keys repeated within the dataset (duplicates.ts; for a
 * target that publishes only at the end, once after the last batch: deferred-keys.ts);
 * keys the target already held, when the writer offers the check (append into a non-empty
 * target). What happens is the job's `run:` choice: on_invalid fail|skip, duplicates
 * fail|first|last, existing_keys fail|skip|upsert.
 */
import { sliceColumn, type Column, type ColumnBatch } from '../batch.js';
import { MilvusdmError } from '../errors.js';
import type { DuplicatePolicy, ExistingKeyPolicy, InvalidPolicy, RunSettings } from '../job/spec.js';
import type { Logger } from '../logger.js';
import type { DatasetInfo, DatasetWriter, SourceDataset } from '../plugin.js';
import { isVectorType, primaryField, type FieldSchema } from '../schema.js';
import { DeferredKeyCheck, locateRepeat } from './deferred-keys.js';
import { KeyChecker } from './key-checker.js';
import { keptRows, selectRows } from './select-rows.js';

/** Skipped ids named one by one in the log's warning; the rest go to the log file at debug. */
const IDS_NAMED = 10;

/**
 * Problems a schema has before any row is read: refused before the target is touched.
 * A dense vector of dimension 0 (or none) cannot be stored anywhere.
 */
export function checkDatasetSchema(dataset: DatasetInfo): void {
  for (const f of dataset.schema.fields) {
    if (!isVectorType(f.type) || f.type === 'sparse_float_vector') continue;
    if (f.dim === undefined || !Number.isInteger(f.dim) || f.dim <= 0) {
      throw new MilvusdmError(
        'MDM_INVALID_DATA',
        `${dataset.origin}: vector field "${f.name}" has dimension ${f.dim ?? 'none'}; a vector needs at least one element`,
      );
    }
    if (f.type === 'binary_vector' && f.dim % 8 !== 0) {
      throw new MilvusdmError(
        'MDM_INVALID_DATA',
        `${dataset.origin}: binary vector field "${f.name}" has dimension ${f.dim}, not a multiple of 8`,
      );
    }
  }
}

/** The key of row `row` as text, for messages. */
export function keyText(keys: Column | undefined, row: number): string | undefined {
  if (!keys) return undefined;
  const v = keys.values[row];
  return v === undefined ? undefined : String(v);
}

/**
 * Whether any of the first `n` floats is NaN or ±Inf, in one pass with no branch a value: x × 0
 * is ±0 for every finite x and NaN for NaN and ±Inf, so the sums stay 0 unless one is not
 * finite. Four sums, so additions do not wait for each other: about 0.5 ns a float, against
 * 1.2 for a comparison a value (a batch is clean almost always; the rows are found only if not).
 */
function anyNonFinite(values: Float32Array, n: number): boolean {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a += values[i]! * 0;
    b += values[i + 1]! * 0;
    c += values[i + 2]! * 0;
    d += values[i + 3]! * 0;
  }
  for (; i < n; i++) a += values[i]! * 0;
  return a + b + c + d !== 0;
}

/** Whether any of the first `n` half floats (float16 or bfloat16) has every exponent bit set (±Inf or NaN). */
function anyHalfNonFinite(values: Uint16Array, n: number, exp: number): boolean {
  // (v & exp) + (0x10000 - exp) reaches 0x10000 exactly when every exponent bit is set.
  const carry = 0x10000 - exp;
  let any = 0;
  for (let i = 0; i < n; i++) any |= ((values[i]! & exp) + carry) >>> 16;
  return any !== 0;
}

/** Calls `bad` once for each row holding a NaN or ±Inf element. */
function nonFiniteRows(column: Column, rows: number, bad: (row: number, what: string) => void): void {
  switch (column.type) {
    case 'float_vector': {
      const { dim, values } = column;
      if (!anyNonFinite(values, rows * dim)) return;
      for (let r = 0; r < rows; r++) {
        for (let i = r * dim, end = i + dim; i < end; i++) {
          const v = values[i]!;
          // v - v is 0 for every finite float and NaN for NaN and ±Inf.
          if (v - v !== 0) {
            bad(r, Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity');
            break;
          }
        }
      }
      return;
    }
    case 'float16_vector':
    case 'bfloat16_vector': {
      // All exponent bits set means Inf or NaN in both formats.
      const exp = column.type === 'float16_vector' ? 0x7c00 : 0x7f80;
      const { dim, values } = column;
      if (!anyHalfNonFinite(values, rows * dim, exp)) return;
      for (let r = 0; r < rows; r++) {
        for (let i = r * dim, end = i + dim; i < end; i++) {
          if ((values[i]! & exp) === exp) {
            bad(r, (values[i]! & (exp === 0x7c00 ? 0x03ff : 0x007f)) !== 0 ? 'NaN' : 'Infinity');
            break;
          }
        }
      }
      return;
    }
    case 'sparse_float_vector':
      for (let r = 0; r < rows; r++) {
        const v = column.values[r]!.values;
        for (let i = 0; i < v.length; i++) {
          if (v[i]! - v[i]! !== 0) {
            bad(r, Number.isNaN(v[i]!) ? 'NaN' : 'Infinity');
            break;
          }
        }
      }
      return;
    default:
      return;
  }
}

function tooLongRows(column: Column, maxLength: number, bad: (row: number, bytes: number) => void): void {
  if (column.type !== 'varchar') return;
  const values = column.values;
  for (let r = 0; r < values.length; r++) {
    const s = values[r]!;
    // A UTF-16 unit is at most 3 UTF-8 bytes: most strings need no exact count.
    if (s.length * 3 <= maxLength || (column.valid && !column.valid[r])) continue;
    const bytes = Buffer.byteLength(s, 'utf8');
    if (bytes > maxLength) bad(r, bytes);
  }
}

interface ScreenOptions {
  readonly onInvalid: InvalidPolicy;
  readonly duplicates: DuplicatePolicy;
  readonly existingKeys: ExistingKeyPolicy;
}

export function screenOptions(run: RunSettings): ScreenOptions {
  return { onInvalid: run.onInvalid ?? 'fail', duplicates: run.duplicates ?? 'fail', existingKeys: run.existingKeys ?? 'fail' };
}

/** Screens one dataset's batches; keep one per dataset, and close it whatever happens. */
export class BatchScreen {
  private readonly key: FieldSchema | undefined;
  /** Repeated keys, answered batch by batch (in a worker thread) … */
  private readonly finder: KeyChecker | undefined;
  /** … or once at the end, for a target that publishes only then, under duplicates: fail. */
  private readonly deferred: DeferredKeyCheck | undefined;
  /** Under duplicates: last, the row of the last occurrence of each repeated key (from a pre-pass). */
  private lastRows: Map<bigint | string, number> | undefined;
  private readonly maxLengths: { field: string; max: number }[];
  private readonly vectors: string[];
  private row = 0;
  /** Rows dropped, by reason. */
  readonly skipped = { invalid: 0, duplicate: 0, existing: 0 };
  private readonly named: string[] = [];

  constructor(
    private readonly dataset: SourceDataset,
    private readonly options: ScreenOptions,
    private readonly writer: DatasetWriter,
    private readonly logger: Logger,
  ) {
    const pk = primaryField(dataset.schema);
    this.key = pk && !pk.autoId ? pk : undefined;
    this.deferred = this.key && options.duplicates === 'fail' && writer.publishesAtEnd ? new DeferredKeyCheck(dataset.rows) : undefined;
    this.finder = this.key && !this.deferred ? new KeyChecker(undefined, dataset.rows) : undefined;
    // The tighter of the source's and the target's max_length: the target is what refuses.
    const target = new Map((writer.targetSchema?.fields ?? []).map((f) => [f.name, f]));
    this.maxLengths = dataset.schema.fields
      .filter((f) => f.type === 'varchar')
      .map((f) => ({ field: f.name, max: Math.min(f.maxLength ?? Infinity, target.get(f.name)?.maxLength ?? Infinity) }))
      .filter((m) => Number.isFinite(m.max));
    // A target that stores NaN and ±Inf exactly (a file) needs no scan for them.
    this.vectors = writer.storesNonFinite
      ? []
      : dataset.schema.fields
          .filter(
            (f) =>
              f.type === 'float_vector' || f.type === 'float16_vector' || f.type === 'bfloat16_vector' || f.type === 'sparse_float_vector',
          )
          .map((f) => f.name);
  }

  get skippedRows(): number {
    return this.skipped.invalid + this.skipped.duplicate + this.skipped.existing;
  }

  /**
   * Under duplicates: last, a key's earlier occurrences must not be written at all (an insert
   * is not a replace), so the keys are read once before writing: one extra pass over the source.
   */
  async prepare(batchRows: number, signal: AbortSignal, resumeRows = 0): Promise<void> {
    this.row = resumeRows;
    if (this.options.duplicates !== 'last') await this.recallKeys(batchRows, signal, resumeRows);
    if (this.options.duplicates !== 'last' || !this.key) return;
    this.logger.info(`${this.dataset.origin}: reading the keys once to find repeated ones (duplicates: last)`);
    const finder = new KeyChecker(undefined, this.dataset.rows);
    const last = new Map<bigint | string, number>();
    let row = 0;
    try {
      for await (const batch of this.dataset.batches({ batchRows, fields: [this.key.name] })) {
        signal.throwIfAborted();
        const keys = batch.columns.get(this.key.name);
        if (!keys) break; // checkBatch reports it in the real pass
        const repeated = await finder.check(keys);
        for (let i = 0; i < repeated.length; i++) if (repeated[i]) last.set(keys.values[i] as bigint | string, row + i);
        row += batch.numRows;
      }
    } finally {
      await finder.close();
    }
    this.lastRows = last;
    if (last.size > 0)
      this.logger.info(`${this.dataset.origin}: ${last.size} key(s) occur more than once; the last occurrence of each is kept`);
  }

  /**
   * A resumed run must know the keys the interrupted run saw, or a key repeated across the point
   * where it stopped would be written twice: the source rows before that point are read once more
   * for their keys only (under duplicates: last, `prepare`'s pass over every key does this).
   */
  private async recallKeys(batchRows: number, signal: AbortSignal, rows: number): Promise<void> {
    if (rows === 0 || (!this.finder && !this.deferred) || !this.key) return;
    this.logger.info(`${this.dataset.origin}: reading the keys of the ${rows} rows already handled, to catch keys repeated after them`);
    let seen = 0;
    for await (const batch of this.dataset.batches({ batchRows, fields: [this.key.name] })) {
      signal.throwIfAborted();
      const keys = batch.columns.get(this.key.name);
      if (!keys) return; // checkBatch reports it in the real pass
      const take = Math.min(batch.numRows, rows - seen);
      const handled = take === batch.numRows ? keys : sliceColumn(keys, 0, take);
      if (this.deferred) this.deferred.add(handled, seen);
      else await this.finder!.check(handled);
      seen += take;
      if (seen >= rows) return;
    }
  }

  /**
   * Rows the interrupted run wrote after its last recorded cursor, read again but not written:
   * their keys still count as seen, and the row numbers in messages stay those of the source.
   */
  async passOver(batch: ColumnBatch): Promise<void> {
    const first = this.row;
    this.row += batch.numRows;
    const keys = this.key ? batch.columns.get(this.key.name) : undefined;
    if (keys && this.deferred) this.deferred.add(keys, first);
    if (keys && this.finder) await this.finder.check(keys);
  }

  /** The batch with the rows the job's policies drop removed; throws when a policy is fail. */
  async screen(batch: ColumnBatch): Promise<ColumnBatch> {
    const first = this.row;
    this.row += batch.numRows;
    const keys = this.key ? batch.columns.get(this.key.name) : undefined;
    let drop: Uint8Array | undefined;
    const dropRow = (r: number) => {
      drop ??= new Uint8Array(batch.numRows);
      const was = drop[r];
      drop[r] = 1;
      return !was;
    };
    // The repeated-key check runs in its worker while the values are checked here.
    const repeatedKeys = keys && this.finder ? this.finder.check(keys) : undefined;
    repeatedKeys?.catch(() => {}); // awaited below unless a value check throws first
    const where = (r: number) => `${this.dataset.origin}: row ${first + r}${keys ? ` (${this.key!.name} ${keyText(keys, r)})` : ''}`;

    // Values the target cannot store.
    const invalid = (r: number, what: string) => {
      if (this.options.onInvalid === 'fail') {
        throw new MilvusdmError('MDM_INVALID_DATA', `${where(r)}: ${what}`, {
          hint: 'Nothing of this batch was sent. Fix the source, or set run: {on_invalid: skip} to skip such rows and list them in the log.',
        });
      }
      if (dropRow(r)) {
        this.skipped.invalid++;
        this.note(`${where(r)}: ${what} (skipped)`, keyText(keys, r) ?? `row ${first + r}`);
      }
    };
    for (const name of this.vectors) {
      const column = batch.columns.get(name);
      if (column) nonFiniteRows(column, batch.numRows, (r, v) => invalid(r, `vector field "${name}" holds ${v}`));
    }
    for (const { field, max } of this.maxLengths) {
      const column = batch.columns.get(field);
      if (column) tooLongRows(column, max, (r, bytes) => invalid(r, `field "${field}" is ${bytes} bytes long, its max_length is ${max}`));
    }

    // Keys repeated within the source: recorded for the check at the end (before any await, so
    // in batch order) …
    if (keys && this.deferred) this.deferred.add(keys, first, drop);
    // … or answered now.
    if (keys && repeatedKeys) {
      const repeated = await repeatedKeys;
      const lastRows = this.lastRows;
      for (let r = 0; r < repeated.length; r++) {
        // Reading an int64 key makes a BigInt: only done where it matters (duplicates: last, or a repeat).
        if (repeated[r] === 0 && lastRows === undefined) continue;
        const lastRow = lastRows?.get(keys.values[r] as bigint | string);
        const dup = repeated[r] === 1 || (lastRow !== undefined && lastRow !== first + r);
        if (!dup || drop?.[r]) continue;
        if (this.options.duplicates === 'fail') {
          throw new MilvusdmError('MDM_INVALID_DATA', `${where(r)}: the key occurs more than once in the source (an earlier row has it)`, {
            hint: 'Set run: {duplicates: first} or {duplicates: last} to keep one row per key.',
          });
        }
        // Under last, every occurrence but the last is dropped; under first, every one after the first.
        const keep = this.options.duplicates === 'last' ? lastRow === first + r : repeated[r] === 0;
        if (!keep && dropRow(r)) {
          this.skipped.duplicate++;
          this.logger.debug(`${where(r)}: repeated key dropped (duplicates: ${this.options.duplicates})`);
        }
      }
    }

    // Keys the target already held (the writer asks only when it was not empty at the start).
    if (keys && this.writer.existingKeys && this.options.existingKeys !== 'upsert') {
      const present = await this.writer.existingKeys(keys);
      if (present) {
        for (let r = 0; r < present.length; r++) {
          if (!present[r] || drop?.[r]) continue;
          if (this.options.existingKeys === 'fail') {
            throw new MilvusdmError('MDM_INVALID_DATA', `${where(r)}: the target already holds this key; nothing of this batch was sent`, {
              hint: 'Set run: {existing_keys: skip} to keep the rows already there, {existing_keys: upsert} to replace them, or use mode: overwrite.',
            });
          }
          if (dropRow(r)) {
            this.skipped.existing++;
            this.logger.debug(`${where(r)}: key already in the target, row skipped (existing_keys: skip)`);
          }
        }
      }
    }
    return drop ? selectRows(batch, keptRows(drop)) : batch;
  }

  /**
   * After the last batch, before the stream ends (and the target publishes the dataset): the
   * deferred repeated-key check. When a key repeats, the source's keys are read once more to
   * name the rows. Throws when a key repeats.
   */
  async finish(batchRows: number, signal: AbortSignal): Promise<void> {
    const suspects = this.deferred?.finish();
    if (!suspects) return;
    const key = this.key!;
    const dataset = this.dataset;
    this.logger.info(`${dataset.origin}: a key occurs more than once; reading the keys again to find its rows`);
    async function* keyColumns() {
      for await (const batch of dataset.batches({ batchRows, fields: [key.name] })) {
        signal.throwIfAborted();
        const column = batch.columns.get(key.name);
        if (column) yield column;
      }
    }
    const found = await locateRepeat(suspects, keyColumns());
    if (!found && suspects.repeatedKeys > 0) {
      // Two written rows hold one key, but the second read found no such pair: the source
      // changed in between (a live collection), or two varchar keys' 64-bit hashes collide.
      // What was written has the repeat either way (or may): not published.
      const which = suspects.example !== undefined ? `${key.name} ${suspects.example}` : 'a key';
      throw new MilvusdmError(
        'MDM_INVALID_DATA',
        `${dataset.origin}: ${which} occurs more than once among the rows written, but reading the source's keys again found no such repeat (did the source change meanwhile?); the output was not published`,
        {
          hint: 'Run the job again once the source is steady; set run: {duplicates: first} or {duplicates: last} to keep one row per key.',
        },
      );
    }
    if (!found) return; // only dropped rows repeated a key: nothing of them is written
    const { row, earlierRow } = found;
    const more = suspects.repeatedKeys > 1 ? `; ${suspects.repeatedKeys} keys occur more than once` : '';
    throw new MilvusdmError(
      'MDM_INVALID_DATA',
      `${dataset.origin}: row ${row} (${key.name} ${found.key}): the key occurs more than once in the source (row ${earlierRow} has it too${more}); the output was not published`,
      {
        hint:
          'This target is published only once whole (a file renamed from .partial, a staging collection swapped in), so its keys were checked after the last row (far cheaper than batch by batch). ' +
          'Set run: {duplicates: first} or {duplicates: last} to keep one row per key, and run the changed job with --restart.',
      },
    );
  }

  private note(line: string, id: string): void {
    this.logger.debug(line);
    if (this.named.length < IDS_NAMED) this.named.push(id);
  }

  /** One line on what was skipped, for the log and the console. */
  summary(): string | undefined {
    const { invalid, duplicate, existing } = this.skipped;
    if (invalid + duplicate + existing === 0) return undefined;
    const parts: string[] = [];
    if (invalid)
      parts.push(
        `${invalid} invalid row(s) skipped (ids ${this.named.join(', ')}${invalid > this.named.length ? ', … every one in the log file' : ''})`,
      );
    if (duplicate) parts.push(`${duplicate} repeated key(s) dropped (duplicates: ${this.options.duplicates})`);
    if (existing) parts.push(`${existing} row(s) whose key the target already held skipped`);
    return `${this.dataset.origin}: ${parts.join('; ')}`;
  }

  async close(): Promise<void> {
    this.deferred?.close();
    await this.finder?.close();
  }
}
