/**
 * Where a run's messages go: daily log files (all levels, rotated like the seed's one file a
 * day, keeping `logsKept`), and the console (info and up, unless quiet). Every message passes
 * the secret redactor first.
 */
import { readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';
import type { Logger, SecretRedactor } from '@milvusdm/core';

export type ConsoleMode = 'human' | 'quiet' | 'json';

export interface LogSetup {
  readonly logger: Logger;
  readonly logDir: string;
  /** Writes to the log file only (for what the console shows another way). */
  record(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  close(): Promise<void>;
}

/** The seed's default: $MILVUSDM_PATH/logs, else ~/milvusdm/logs. */
export function defaultLogDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['MILVUSDM_PATH'] ?? join(homedir(), 'milvusdm'), 'logs');
}

const DAILY_LOG = /^milvusdm-\d{4}-\d{2}-\d{2}\.log$/;

/**
 * Keeps the newest `kept` daily files and deletes older ones, as the seed did with LOGS_NUM
 * (whoever wrote them: the rotating transport only knows the files it created itself).
 */
export function pruneLogs(dir: string, kept: number): void {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => DAILY_LOG.test(n))
      .sort();
  } catch {
    return;
  }
  for (const name of names.slice(0, Math.max(0, names.length - kept))) rmSync(join(dir, name), { force: true });
}

export function setupLogging(options: {
  logDir: string | undefined;
  logsKept: number | undefined;
  fileLevel: 'debug' | 'info' | 'error';
  console: ConsoleMode;
  redactor: SecretRedactor;
  writeConsole: (line: string) => void;
  writeJson: (event: Record<string, unknown>) => void;
}): LogSetup {
  const logDir = resolve(options.logDir ?? defaultLogDir());
  const file = new DailyRotateFile({
    dirname: logDir,
    filename: 'milvusdm-%DATE%.log',
    datePattern: 'YYYY-MM-DD',
    ...(options.logsKept ? { maxFiles: options.logsKept } : {}),
    auditFile: join(logDir, '.milvusdm-log-audit.json'),
    level: options.fileLevel,
  });
  const files = winston.createLogger({
    level: 'debug',
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.printf(({ timestamp, level, message }) => `${String(timestamp)} | ${level.toUpperCase()} | ${String(message)}`),
    ),
    transports: [file],
  });
  const toConsole = (level: string, message: string) => {
    if (options.console === 'quiet') {
      if (level === 'error') options.writeConsole(`error: ${message}`);
    } else if (options.console === 'json') {
      if (level !== 'debug') options.writeJson({ event: 'log', level, message });
    } else if (level !== 'debug') options.writeConsole(level === 'info' ? message : `${level}: ${message}`);
  };
  const emit = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string) => {
    const text = options.redactor.redact(message);
    files.log(level, text);
    toConsole(level, text);
  };
  return {
    logger: { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') },
    logDir,
    record: (level, message) => files.log(level, options.redactor.redact(message)),
    close: async () => {
      await new Promise<void>((done) => {
        // Wait until the file transport has flushed everything written so far.
        file.once('finish', () => done());
        files.end();
        setTimeout(done, 2000).unref();
      });
      // Today's file exists now, so it counts among the ones kept.
      if (options.logsKept) pruneLogs(logDir, options.logsKept);
    },
  };
}
