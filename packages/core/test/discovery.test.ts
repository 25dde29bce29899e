/**
 * Plugin discovery against a project that lives outside the workspace, with third-party
 * plugins found by naming convention and by the manifest field, and broken ones reported.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isMilvusdmError } from '../src/errors.js';
import { resolveChannel } from '../src/discovery/resolve.js';
import { scanPlugins } from '../src/discovery/scan.js';

function pkg(root: string, name: string, json: Record<string, unknown>, code: string): void {
  const dir = join(root, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.2.3', type: 'module', exports: { '.': './index.js' }, ...json }));
  writeFileSync(join(dir, 'index.js'), code);
}

const manifest = (kind: string, name: string) => ({ milvusdm: { apiVersion: 1, channels: [{ kind, name }] } });
// A plugin needs no import of core: the contract is duck-typed.
const pluginCode = (kind: string, name: string) =>
  `export default { kind: '${kind}', name: '${name}', options: { safeParse: (v) => ({ success: true, data: v }) }, async open() { throw new Error('not in this test'); } };\n`;

let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'mdm-project-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-project', dependencies: { 'acme-vectors': '1.0.0' } }));
  pkg(project, 'milvusdm-reader-fake', manifest('reader', 'fake'), pluginCode('reader', 'fake'));
  pkg(project, '@acme/milvusdm-writer-parquet', manifest('writer', 'parquet'), pluginCode('writer', 'parquet'));
  pkg(project, 'acme-vectors', manifest('writer', 'acme'), pluginCode('writer', 'acme'));
  pkg(project, 'milvusdm-writer-broken', manifest('writer', 'broken'), `import 'a-dependency-that-is-missing';\nexport default {};\n`);
  pkg(project, 'milvusdm-reader-old', { milvusdm: { apiVersion: 0, channels: [{ kind: 'reader', name: 'old' }] } }, pluginCode('reader', 'old'));
  pkg(project, 'milvusdm-reader-shapeless', manifest('reader', 'shapeless'), `export default { hello: 'world' };\n`);
  pkg(project, 'left-pad', {}, 'export default 1;\n');
});

async function failure(kind: 'reader' | 'writer', type: string) {
  try {
    await resolveChannel(kind, type, { bases: [project], baseDir: project });
  } catch (e) {
    if (isMilvusdmError(e)) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('plugin discovery', () => {
  it('lists plugins by convention, scope and manifest field, without loading them', async () => {
    const found = await scanPlugins([project]);
    const byName = Object.fromEntries(found.map((p) => [p.packageName, p]));
    expect(Object.keys(byName).sort()).toEqual(
      ['@acme/milvusdm-writer-parquet', 'acme-vectors', 'milvusdm-reader-fake', 'milvusdm-reader-old', 'milvusdm-reader-shapeless', 'milvusdm-writer-broken'].sort(),
    );
    expect(byName['acme-vectors']!.manifest!.channels).toEqual([{ kind: 'writer', name: 'acme' }]);
    expect(byName['milvusdm-reader-old']!.problem).toMatch(/plugin API version 0/);
    // Listing never imports: the broken package is listed as if fine.
    expect(byName['milvusdm-writer-broken']!.problem).toBeUndefined();
  });

  it('resolves a type to the package whose manifest offers it', async () => {
    expect((await resolveChannel('reader', 'fake', { bases: [project], baseDir: project })).from).toBe('milvusdm-reader-fake');
    expect((await resolveChannel('writer', 'parquet', { bases: [project], baseDir: project })).from).toBe('@acme/milvusdm-writer-parquet');
    expect((await resolveChannel('writer', 'acme', { bases: [project], baseDir: project })).from).toBe('acme-vectors');
  });

  it('loads a module given as a path, relative to the job folder', async () => {
    writeFileSync(join(project, 'local-reader.js'), pluginCode('reader', './local-reader.js'));
    const r = await resolveChannel('reader', './local-reader.js', { bases: [project], baseDir: project });
    expect(r.plugin.kind).toBe('reader');
  });

  it('says what to install when nothing provides the type', async () => {
    const e = await failure('reader', 'nope');
    expect(e.code).toBe('MDM_PLUGIN_NOT_FOUND');
    expect(e.message).toBe('no reader plugin found for type "nope"');
    expect(e.hint).toMatch(/npm i @milvusdm\/reader-nope/);
    expect(e.exitCode).toBe(1);
  });

  it('says what broke when an installed plugin cannot load, not that it is missing', async () => {
    const e = await failure('writer', 'broken');
    expect(e.code).toBe('MDM_PLUGIN_LOAD');
    expect(e.message).toMatch(/milvusdm-writer-broken .* is installed but failed to load: .*a-dependency-that-is-missing/);
  });

  it('refuses a plugin built for another API version, and one without the plugin shape', async () => {
    expect((await failure('reader', 'old')).message).toMatch(/milvusdm-reader-old .* is unusable: built for plugin API version 0/);
    const e = await failure('reader', 'shapeless');
    expect(e.code).toBe('MDM_PLUGIN_INVALID');
    expect(e.hint).toMatch(/default-exports \{ kind/);
  });
});
