/**
 * Where a Milvus 1.x MySQL meta lives: the seed's `mysql_parameter` block (host, port, user,
 * password, database, each optional) or the `mysql://user:password@host:port/database` URI
 * Milvus itself was configured with (`general.meta_uri`).
 */
import { ConfigError } from '@milvusdm/core';

export interface MysqlSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** Seconds to wait for the connection before giving up. */
  readonly connectTimeout: number;
}

export interface MysqlParts {
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly database?: string | undefined;
  readonly connect_timeout?: number | undefined;
}

/** The defaults of a Milvus 1.x MySQL deployment (Milvus's example meta_uri names database `milvus`). */
export const MYSQL_DEFAULTS = {
  host: '127.0.0.1',
  port: 3306,
  user: 'root',
  password: '',
  database: 'milvus',
  connectTimeout: 10,
} as const;

export function mysqlSettings(parts: MysqlParts): MysqlSettings {
  return {
    host: parts.host || MYSQL_DEFAULTS.host,
    port: parts.port ?? MYSQL_DEFAULTS.port,
    user: parts.user || MYSQL_DEFAULTS.user,
    password: parts.password ?? MYSQL_DEFAULTS.password,
    database: parts.database || MYSQL_DEFAULTS.database,
    connectTimeout: parts.connect_timeout ?? MYSQL_DEFAULTS.connectTimeout,
  };
}

/** Parses `mysql://user:password@host:port/database`; `key` names where it came from in messages. */
export function parseMysqlUri(uri: string, key: string): MysqlSettings {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ConfigError(`${key}: not a URI; expected mysql://user:password@host:port/database`);
  }
  if (url.protocol !== 'mysql:') throw new ConfigError(`${key}: expected a mysql:// URI, got ${url.protocol}//…`);
  const port = url.port ? Number(url.port) : undefined;
  const database = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
  return mysqlSettings({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database,
  });
}

/** `root@127.0.0.1:3306/milvus`: for messages and logs, never with the password. */
export function describeMysql(s: MysqlSettings): string {
  return `${s.user}@${s.host}:${s.port}/${s.database}`;
}
