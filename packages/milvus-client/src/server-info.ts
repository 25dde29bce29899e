/**
 * What a server is, asked once per connection: its version string (GetVersion). Writers use it
 * to choose what to ask for (an index type, a property) instead of trying and failing half-way.
 * Milvus Lite 2.x's local engine does not implement GetVersion; that absence is itself the
 * answer (an embedded Lite engine: FLAT and SPARSE_INVERTED_INDEX only, no partitions).
 */
import { MilvusdmError } from '@milvusdm/core';
import type { MilvusConnection } from './connection.js';

export interface ServerInfo {
  /** e.g. `v2.3.5`, `2.6.0-lite`; undefined when the server has no GetVersion. */
  readonly version: string | undefined;
  /** [major, minor] parsed from the version, when there is one. */
  readonly release: readonly [number, number] | undefined;
  /** Milvus Lite 2.x's local engine (no GetVersion): indexes only FLAT, BIN_FLAT, SPARSE_INVERTED_INDEX. */
  readonly localLiteEngine: boolean;
}

const cache = new WeakMap<MilvusConnection, Promise<ServerInfo>>();

export function parseRelease(version: string): [number, number] | undefined {
  const m = /(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export function serverInfo(conn: MilvusConnection): Promise<ServerInfo> {
  let info = cache.get(conn);
  if (!info) {
    info = ask(conn);
    cache.set(conn, info);
  }
  return info;
}

async function ask(conn: MilvusConnection): Promise<ServerInfo> {
  let version: string | undefined;
  try {
    const r = await conn.sdk<{ version?: string }>('GetVersion', {}, `ask ${conn.display} for its version`);
    version = r.version || undefined;
  } catch (e) {
    // Unimplemented (gRPC code 12, or an empty answer) means an engine without it; any other
    // failure (unreachable, refused) is a real error.
    const unimplemented = e instanceof MilvusdmError && /does not implement|empty answer/.test(e.message);
    if (!unimplemented) throw e;
  }
  const release = version ? parseRelease(version) : undefined;
  return { version, release, localLiteEngine: version === undefined };
}
