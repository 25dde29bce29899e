/**
 * MySQL for the Milvus 1.x meta tests. Tests that need it skip with a clear message when no
 * server answers, unless MILVUSDM_REQUIRE_MYSQL=1 (set by .ci/run), which makes it mandatory.
 */
import { connect } from 'node:net';

export const MYSQL = {
  host: process.env['MILVUSDM_MYSQL_HOST'] ?? '127.0.0.1',
  port: Number(process.env['MILVUSDM_MYSQL_PORT'] ?? 3306),
  user: process.env['MILVUSDM_MYSQL_USER'] ?? 'root',
  password: process.env['MILVUSDM_MYSQL_PASSWORD'] ?? '',
};

export function requireMysql(): boolean {
  return process.env['MILVUSDM_REQUIRE_MYSQL'] === '1';
}

/** True when something accepts connections on the MySQL port. */
export function mysqlAvailable(): Promise<boolean> {
  return new Promise((ok) => {
    const s = connect({ host: MYSQL.host, port: MYSQL.port });
    const timer = setTimeout(() => {
      s.destroy();
      ok(false);
    }, 2000);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      ok(true);
    });
    s.once('error', () => {
      clearTimeout(timer);
      ok(false);
    });
  });
}

/**
 * Whether the MySQL tests can run: true when a server answers; false, with a warning that says
 * why they are skipped, when none does; an error when MILVUSDM_REQUIRE_MYSQL=1 demands one.
 */
export async function mysqlForTests(what: string): Promise<boolean> {
  const ok = await mysqlAvailable();
  if (!ok && requireMysql()) throw new Error(`MILVUSDM_REQUIRE_MYSQL=1 but no MySQL answers at ${MYSQL.host}:${MYSQL.port}`);
  if (!ok) {
    console.warn(
      `skipping ${what}: no MySQL at ${MYSQL.host}:${MYSQL.port} (set MILVUSDM_MYSQL_HOST/PORT/USER/PASSWORD; MILVUSDM_REQUIRE_MYSQL=1 makes this an error)`,
    );
  }
  return ok;
}
