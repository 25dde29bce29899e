/**
 * Which credentials a connection asks the run to mask: every token and password, except Milvus's
 * documented default password on its own — masking that word garbled every message naming the
 * product (`cannot reach *** at …`) and, by the gap, told the reader the password.
 */
import { describe, expect, it } from 'vitest';
import { SecretRedactor, silentLogger } from '@milvusdm/core';
import { MilvusConnection } from '../src/index.js';

async function maskedBy(options: Record<string, unknown>): Promise<SecretRedactor> {
  const redactor = new SecretRedactor();
  const context = {
    signal: new AbortController().signal,
    logger: silentLogger,
    baseDir: process.cwd(),
    redact: (s: string | undefined) => redactor.add(s),
  };
  // Nothing listens on port 1: the connection fails at once, after the secrets are registered.
  await expect(
    MilvusConnection.open({ uri: 'http://127.0.0.1:1', connect_timeout: 2, retries: 0, ...options } as never, context, 'target'),
  ).rejects.toThrow(/cannot reach Milvus at 127\.0\.0\.1:1/);
  return redactor;
}

describe('credential masking', () => {
  it('masks the default token whole, and leaves the word Milvus alone', async () => {
    const r = await maskedBy({ token: 'root:Milvus' });
    expect(r.redact('token root:Milvus, cannot reach Milvus at host')).toBe('token ***, cannot reach Milvus at host');
    expect(r.redact('http://root:Milvus@host:19530')).toBe('http://root:***@host:19530');
  });

  it('masks any other password, whole token and alone', async () => {
    const r = await maskedBy({ token: 'root:s3cret-Pw' });
    expect(r.redact('root:s3cret-Pw then s3cret-Pw')).toBe('*** then ***');
    const u = await maskedBy({ user: 'root', password: 'hunter22' });
    expect(u.redact('password hunter22 for Milvus')).toBe('password *** for Milvus');
  });
});
