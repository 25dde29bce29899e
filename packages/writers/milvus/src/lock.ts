/**
 * A lock on a target collection name that every milvusdm run against the same server can see.
 * Milvus has no locks, but creating a collection is atomic: the lock is a marker collection
 * `<name>__milvusdm_lock` whose schema names the holder in its field names (run id, pid, host,
 * start time): a second create with another run's fields fails on every server (Milvus 2.x
 * accepts a create only when the schema is identical; Milvus Lite never), and descriptions are
 * not used because Milvus Lite does not keep them. Whoever's fields the server keeps holds it. The holder renews a heartbeat
 * property; a lock whose heartbeat is older than the stale timeout, or whose holder process
 * is gone (same host), is taken over with a warning.
 */
import { hostname } from 'node:os';
import { MilvusdmError, type Logger } from '@milvusdm/core';
import { MilvusCollection, type MilvusConnection } from '@milvusdm/milvus-client';
import { lockName } from './names.js';

interface Holder {
  readonly host: string;
  readonly pid: number;
  readonly run: string;
  readonly started: string;
}

const HEARTBEAT_KEY = 'milvusdm.heartbeat';

/** The marker's extra fields: `run_<id>`, `pid_<n>`, `host_<hex>`, `t_<epoch ms>`. */
function holderFields(h: Holder): string[] {
  return [
    `run_${h.run}`,
    `pid_${h.pid}`,
    `host_${Buffer.from(h.host, 'utf8').toString('hex').slice(0, 200)}`,
    `t_${Date.parse(h.started)}`,
  ];
}

function parseHolder(fields: readonly { name: string }[] | undefined): Holder | undefined {
  const get = (prefix: string) => fields?.find((f) => f.name.startsWith(prefix))?.name.slice(prefix.length);
  const run = get('run_');
  const pid = Number(get('pid_'));
  const host = get('host_');
  const t = Number(get('t_'));
  if (!run || !Number.isInteger(pid) || host === undefined || !Number.isFinite(t)) return undefined;
  return { run, pid, host: Buffer.from(host, 'hex').toString('utf8'), started: new Date(t).toISOString() };
}

type DescribedMarker = { schema?: { fields?: { name: string }[] }; properties?: { key: string; value: string }[] };

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds a lock marker, and why it is stale (undefined: it is live). For `milvusdm cleanup`. */
export async function lockHolder(
  conn: MilvusConnection,
  marker: string,
  staleSeconds: number,
): Promise<{ who: string; stale: string | undefined }> {
  const d = await conn.sdk<DescribedMarker>(
    'DescribeCollection',
    { collection_name: marker, ...(conn.database ? { db_name: conn.database } : {}) },
    `read lock "${marker}"`,
  );
  const holder = parseHolder(d.schema?.fields);
  const beat = Number(d.properties?.find((p) => p.key === HEARTBEAT_KEY)?.value);
  const stale = staleness(holder, Number.isFinite(beat) && beat > 0 ? beat : undefined, staleSeconds);
  return { who: holder ? `pid ${holder.pid} on ${holder.host}, started ${holder.started}` : 'an unknown holder', stale };
}

function staleness(holder: Holder | undefined, heartbeat: number | undefined, staleSeconds: number): string | undefined {
  if (!holder) return 'the lock marker names no holder';
  if (holder.host === hostname() && !processAlive(holder.pid)) return `its holder (pid ${holder.pid} on this host) is no longer running`;
  const last = heartbeat ?? Date.parse(holder.started);
  const age = (Date.now() - last) / 1000;
  if (age > staleSeconds) return `its holder (pid ${holder.pid} on ${holder.host}) has not renewed it for ${Math.round(age)} s`;
  return undefined;
}

export class TargetLock {
  private timer: NodeJS.Timeout | undefined;
  private held = false;
  private readonly marker: MilvusCollection;
  private readonly me: Holder;

  constructor(
    private readonly conn: MilvusConnection,
    readonly target: string,
    runId: string,
    private readonly staleSeconds: number,
    private readonly logger: Logger,
  ) {
    this.marker = new MilvusCollection(conn, lockName(target));
    this.me = { host: hostname(), pid: process.pid, run: runId, started: new Date().toISOString() };
  }

  private get params() {
    return { collection_name: this.marker.name, ...(this.conn.database ? { db_name: this.conn.database } : {}) };
  }

  /** Takes the lock or throws MDM_LOCKED naming the holder. */
  async acquire(): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      await this.createMarker().catch(() => undefined); // "already exists" is answered below
      const { holder, heartbeat } = await this.read();
      if (holder?.run === this.me.run) {
        this.held = true;
        await this.beat();
        const every = Math.max(1_000, Math.min(60_000, (this.staleSeconds * 1000) / 4));
        this.timer = setInterval(() => void this.beat(), every);
        this.timer.unref();
        return;
      }
      const stale = this.staleReason(holder, heartbeat);
      if (!stale || attempt > 0) {
        const who = holder ? `pid ${holder.pid} on ${holder.host}, started ${holder.started}` : 'an unknown holder';
        throw new MilvusdmError(
          'MDM_LOCKED',
          `another milvusdm run is writing "${this.target}" (${who}); this run was refused before writing`,
          {
            hint: `Wait for it to finish. If it is gone, the lock expires after ${this.staleSeconds} s without a heartbeat; \`milvusdm cleanup\` lists and removes it; run: {lock: false} writes regardless.`,
          },
        );
      }
      this.logger.warn(`taking over the lock on "${this.target}": ${stale}`);
      await this.marker.drop();
    }
  }

  private staleReason(holder: Holder | undefined, heartbeat: number | undefined): string | undefined {
    return staleness(holder, heartbeat, this.staleSeconds);
  }

  private async createMarker(): Promise<void> {
    // A minimal schema (Milvus requires a vector field) plus the holder's fields.
    await this.marker.create({
      fields: [
        { name: 'id', type: 'int64', isPrimaryKey: true },
        { name: 'v', type: 'float_vector', dim: 2 },
        ...holderFields(this.me).map((name) => ({ name, type: 'int8' as const })),
      ],
    });
  }

  private async read(): Promise<{ holder: Holder | undefined; heartbeat: number | undefined }> {
    const d = await this.conn
      .sdk<DescribedMarker>('DescribeCollection', this.params, `read the lock on "${this.target}"`)
      .catch(() => undefined);
    const beat = Number(d?.properties?.find((p) => p.key === HEARTBEAT_KEY)?.value);
    return { holder: parseHolder(d?.schema?.fields), heartbeat: Number.isFinite(beat) && beat > 0 ? beat : undefined };
  }

  private async beat(): Promise<void> {
    // Renewal is best effort: a server without collection properties falls back to the start time.
    await this.conn
      .sdk(
        'AlterCollection',
        { ...this.params, properties: [{ key: HEARTBEAT_KEY, value: String(Date.now()) }] },
        `renew the lock on "${this.target}"`,
      )
      .catch((e: unknown) => this.logger.debug(`lock heartbeat on "${this.target}" failed: ${String(e)}`));
  }

  /** Drops the marker if it is still ours. */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.held) return;
    this.held = false;
    const { holder } = await this.read();
    if (holder?.run === this.me.run) await this.marker.drop();
  }
}
