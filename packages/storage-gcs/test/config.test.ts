/**
 * Which credentials go where: Google's own chain without key_file, none to an emulator, the key to
 * Google and to a private endpoint when key_file is given.
 */
import { describe, expect, it } from 'vitest';
import { storageConfig } from '../src/index.js';

const key = { client_email: 'sa@p.iam.gserviceaccount.com', private_key: 'PEM', project_id: 'p' };

describe('storageConfig', () => {
  it("no key_file, no endpoint: nothing set, so the SDK uses Google's chain against Google", () => {
    expect(storageConfig({ bucket: 'b' }, undefined)).toEqual({});
  });

  it('an emulator without key_file: its endpoint, and no credentials sent to it', () => {
    expect(storageConfig({ bucket: 'b', endpoint: 'http://127.0.0.1:9023/' }, undefined)).toEqual({ apiEndpoint: 'http://127.0.0.1:9023' });
  });

  it('key_file: the key and its project; at another endpoint the key is sent there too', () => {
    expect(storageConfig({ bucket: 'b' }, key)).toEqual({
      credentials: { client_email: key.client_email, private_key: 'PEM' },
      projectId: 'p',
    });
    expect(storageConfig({ bucket: 'b', endpoint: 'https://storage-psc.p.googleapis.com' }, key)).toEqual({
      apiEndpoint: 'https://storage-psc.p.googleapis.com',
      useAuthWithCustomEndpoint: true,
      credentials: { client_email: key.client_email, private_key: 'PEM' },
      projectId: 'p',
    });
  });
});
