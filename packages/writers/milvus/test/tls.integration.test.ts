/**
 * TLS: the writer and the reader reach Milvus through a TLS front with a certificate signed by
 * a private CA, check the certificate against the CA and the server name, and refuse an
 * unknown certificate with a clear message.
 */
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

let proxy: { port: number; close(): Promise<void> };
let certs: TlsMaterial;
const seedFloat = join(seedDir, 'float_example.h5');

beforeAll(async () => {
  certs = makeCertificates(tempDir(), 'milvus.test');
  proxy = await startTlsProxy(Number(new URL(inject('milvusLiteUri')).port), certs);
});
afterAll(async () => proxy?.close());

describe('TLS', () => {
  it('writes and reads over TLS, verifying the server against the CA and its name', async () => {
    const uri = `https://127.0.0.1:${proxy.port}`;
    const tls = { ca: certs.caPem, server_name: 'milvus.test' };
    const collection = uniqueName('tls');
    const load = await runCli([
      'run',
      writeJob({ source: { type: 'hdf5', path: seedFloat }, target: { type: 'milvus', uri, tls, collection } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(load.code, load.stderr).toBe(0);
    // What arrived through TLS, read by pymilvus from the server behind the TLS front.
    const stored = await runPython<{ ok: boolean }>('verify_milvus.py', [
      '--uri',
      inject('milvusLiteUri'),
      '--collection',
      collection,
      '--h5',
      seedFloat,
    ]);
    expect(stored).toMatchObject({ ok: true, expected: 5000, counted: 5000, fetched: 5000 });
    const out = tempDir();
    const dump = await runCli([
      'run',
      writeJob({ source: { type: 'milvus', uri, tls, collection }, target: { type: 'hdf5', dir: out } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(dump.code, dump.stderr).toBe(0);
    const v = await runPython<{ ok: boolean }>('verify_h5.py', [
      '--actual',
      join(out, collection, '_default.h5'),
      '--expected',
      seedFloat,
      '--dtype',
      'float32',
    ]);
    expect(v).toMatchObject({ ok: true, expected: 5000 });
  });

  it('refuses a server whose certificate it cannot verify, in one line, exit 1', async () => {
    const uri = `https://127.0.0.1:${proxy.port}`;
    const r = await runCli([
      'run',
      writeJob({ source: { type: 'hdf5', path: seedFloat }, target: { type: 'milvus', uri, collection: 'never', timeout: 10 } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error MDM_CONNECT: cannot reach Milvus at 127\.0\.0\.1:\d+ \(target\.uri\): .*(certificate|self.signed|unable to verify)/i,
    );
  });

  it('names a CA file that cannot be read', async () => {
    const uri = `https://127.0.0.1:${proxy.port}`;
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'hdf5', path: seedFloat },
        target: { type: 'milvus', uri, tls: { ca: '/nonexistent/ca.pem' }, collection: 'never' },
      }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/target\.tls\.ca: cannot read \/nonexistent\/ca\.pem/);
  });
});
