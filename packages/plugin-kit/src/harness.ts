/** What both suites share: temporary folders, a context, counting `close`, expecting a clean error. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretRedactor, type ChannelContext, type ChannelPlugin, type Logger } from '@milvusdm/core';

export class Workspace {
  private readonly dirs: string[] = [];
  private counter = 0;

  /** A fresh empty folder, removed by `cleanup`. */
  dir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'milvusdm-plugin-kit-'));
    this.dirs.push(dir);
    return dir;
  }

  /** A name unique to this run, usable as a collection or file name. */
  name(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${process.pid}_${Date.now().toString(36)}_${this.counter}`;
  }

  cleanup(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

export interface TestContext extends ChannelContext {
  readonly messages: string[];
}

export function testContext(baseDir: string, signal: AbortSignal = new AbortController().signal): TestContext {
  const messages: string[] = [];
  const redactor = new SecretRedactor();
  const record = (level: string) => (m: string) => void messages.push(`${level}: ${m}`);
  const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  return { signal, logger: redactor.wrap(logger), baseDir, redact: (s) => redactor.add(s), messages };
}

/** The plugin, with every `close` of what it opens counted. */
export function countingCloses<P extends ChannelPlugin>(plugin: P): { plugin: P; opened: () => number; closed: () => number } {
  let opened = 0;
  let closed = 0;
  const wrapped = {
    ...plugin,
    async open(options: unknown, context: ChannelContext) {
      const end = await (plugin.open as (o: unknown, c: ChannelContext) => Promise<{ close(): Promise<void> }>)(options, context);
      opened += 1;
      const close = end.close.bind(end);
      // The object may be a class instance: replace `close` on it rather than copying it.
      Object.defineProperty(end, 'close', {
        configurable: true,
        value: async () => {
          closed += 1;
          await close();
        },
      });
      return end;
    },
  } as P;
  return { plugin: wrapped, opened: () => opened, closed: () => closed };
}

/** What a plugin throws must be a milvusdm error: a stable code and a one-line message. */
export function errorProblems(e: unknown): string[] {
  const err = e as { code?: unknown; message?: unknown; exitCode?: unknown };
  const out: string[] = [];
  if (typeof err?.code !== 'string' || !err.code.startsWith('MDM_')) out.push(`threw without an MDM_ code: ${String(e)}`);
  if (typeof err?.message !== 'string' || err.message === '' || err.message.includes('\n'))
    out.push(`message is not one line: ${JSON.stringify(err?.message)}`);
  return out;
}
