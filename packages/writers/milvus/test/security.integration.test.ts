/**
 * Credentials from files and the environment, never shown: not on the terminal, not in JSON
 * output, not in log files, not in error lines that repeat them. And mutual
 * TLS through a TLS front that requires a client certificate.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  makeCertificates,
  runCli,
  runPython,
  seedDir,
  startTlsProxy,
  tempDir,
  uniqueName,
  writeJob,
  type TlsMaterial,
} from '@milvusdm/testing';

const seedFloat = join(seedDir, 'float_example.h5');
const seedBinary = join(seedDir, 'byte_example.h5');

/** Every file below `dir`, read as text. */
function allText(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out += statSync(path).isDirectory() ? allText(path) : readFileSync(path, 'latin1');
  }
  return out;
}

describe('credentials', () => {
  it('token_file and password_file are read relative to the job file and never shown, even when an error line repeats them', async () => {
    const uri = inject('milvusLiteUri');
    const token = `tok-${Math.random().toString(36).slice(2)}-secret`;
    // milvusdm refuses binary vectors on Milvus Lite 3 in one line naming the file's field
    // ('field "embedding" is binary_vector, …'): a password equal to that name puts the secret in
    // the error line (and in every line naming the field).
    const password = 'embedding';
    const jobDir = tempDir();
    writeFileSync(join(jobDir, 'token.txt'), `${token}\n`);
    writeFileSync(join(jobDir, 'password.txt'), `${password}\n`);
    const job = join(jobDir, 'job.yaml');
    const collection = uniqueName('sec');
    for (const [file, target] of [
      ['token', { token_file: 'token.txt' }],
      ['password', { user: 'root', password_file: 'password.txt' }],
      ['env', { token: '${MDM_TEST_TOKEN}' }],
    ] as const) {
      writeFileSync(
        job,
        JSON.stringify({ source: { type: 'hdf5', path: seedBinary }, target: { type: 'milvus', uri, collection, ...target } }),
      );
      for (const json of [false, true]) {
        const logs = tempDir();
        // Each run takes a second or two; one that hangs is stopped and shown with its log.
        const r = await runCli(['run', job, '--log-dir', logs, '--verbose', ...(json ? ['--json'] : [])], {
          env: { MDM_TEST_TOKEN: token },
          timeoutMs: 90_000,
        });
        expect(r.code, `${file}: ${r.stderr}\n${allText(logs)}`).toBe(1);
        // The refusal, with the repeated password masked.
        const field = file === 'password' ? '\\*+' : 'embedding';
        expect(r.stderr).toMatch(
          new RegExp(
            `error MDM_UNSUPPORTED: collection "${collection}": field "${field}" is binary_vector, which (Milvus|\\*\\*\\*) Lite 3 does not store`,
          ),
        );
        const shown = r.stdout + r.stderr + allText(logs);
        expect(shown).not.toContain(token);
        if (file === 'password') expect(shown).not.toContain(password);
      }
    }
  });

  it('a credential file that cannot be read is named by its key, exit 2', async () => {
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'hdf5', path: seedFloat },
        target: { type: 'milvus', uri: inject('milvusLiteUri'), collection: 'c', token_file: 'missing-token.txt' },
      }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([
      expect.stringMatching(/^error MDM_CONFIG: target\.token_file: cannot open .*missing-token\.txt: no such file or folder$/),
    ]);
    const both = await runCli([
      'run',
      writeJob({
        source: { type: 'hdf5', path: seedFloat },
        target: { type: 'milvus', uri: inject('milvusLiteUri'), collection: 'c', token: 'abcd', token_file: 't.txt' },
      }),
      '--log-dir',
      tempDir(),
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('error MDM_CONFIG: target.token_file: give token or token_file, not both');
  });
});

describe('mutual TLS', () => {
  let proxy: { port: number; close(): Promise<void> };
  let certs: TlsMaterial;
  beforeAll(async () => {
    certs = makeCertificates(tempDir(), 'milvus.test');
    proxy = await startTlsProxy(Number(new URL(inject('milvusLiteUri')).port), certs, { requireClientCert: true });
  });
  afterAll(async () => proxy?.close());

  it('writes with a client certificate (read back by pymilvus), and is refused in one line without one', async () => {
    const uri = `https://127.0.0.1:${proxy.port}`;
    const collection = uniqueName('mtls');
    const tls = { ca: certs.caPem, cert: certs.clientCertPem, key: certs.clientKeyPem, server_name: 'milvus.test' };
    const ok = await runCli([
      'run',
      writeJob({ source: { type: 'hdf5', path: seedFloat }, target: { type: 'milvus', uri, tls, collection } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const v = await runPython<{ ok: boolean }>('verify_milvus.py', [
      '--uri',
      inject('milvusLiteUri'),
      '--collection',
      collection,
      '--h5',
      seedFloat,
    ]);
    expect(v).toMatchObject({ ok: true, counted: 5000 });

    const refused = await runCli([
      'run',
      writeJob({
        source: { type: 'hdf5', path: seedFloat },
        target: {
          type: 'milvus',
          uri,
          tls: { ca: certs.caPem, server_name: 'milvus.test' },
          collection: uniqueName('mtls_no'),
          connect_timeout: 10,
        },
      }),
      '--log-dir',
      tempDir(),
    ]);
    expect(refused.code).toBe(1);
    const lines = refused.stderr.split('\n').filter((l) => l.startsWith('error'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^error MDM_CONNECT: (cannot reach Milvus at|no answer from) 127\\.0\\.0\\.1:${proxy.port} \\(target\\.uri\\)`),
    );
  });
});
