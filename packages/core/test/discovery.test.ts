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
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.2.3', type: 'module', exports: { '.': './index.js' }, ...json }),
  );
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
  pkg(
    project,
    'milvusdm-reader-old',
    { milvusdm: { apiVersion: 0, channels: [{ kind: 'reader', name: 'old' }] } },
    pluginCode('reader', 'old'),
  );
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
      [
        '@acme/milvusdm-writer-parquet',
        'acme-vectors',
        'milvusdm-reader-fake',
        'milvusdm-reader-old',
        'milvusdm-reader-shapeless',
        'milvusdm-writer-broken',
      ].sort(),
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

  it('loads a module given as a path, relative to the job folder, whatever its channel is called', async () => {
    mkdirSync(join(project, 'plugins'), { recursive: true });
    writeFileSync(join(project, 'plugins', 'local-reader.js'), pluginCode('reader', 'csv'));
    const r = await resolveChannel('reader', './plugins/local-reader.js', { bases: [project], baseDir: project });
    expect(r.plugin.name).toBe('csv');
    expect(r.from).toBe(join(project, 'plugins', 'local-reader.js'));
    // The same through a file: URL.
    const url = `file://${join(project, 'plugins', 'local-reader.js')}`;
    expect((await resolveChannel('reader', url, { bases: [project], baseDir: '/' })).plugin.name).toBe('csv');
  });

  it('picks one of several channels of a module by #name, and says so when the name is missing', async () => {
    const two = (a: string, b: string) =>
      `const o = { safeParse: (v) => ({ success: true, data: v }) };\n` +
      `export const plugins = [${[a, b].map((n) => `{ kind: 'reader', name: '${n}', options: o, async open() {} }`).join(', ')}];\n`;
    writeFileSync(join(project, 'two-readers.js'), two('alpha', 'beta'));
    expect((await resolveChannel('reader', './two-readers.js#beta', { bases: [project], baseDir: project })).plugin.name).toBe('beta');
    const e = await failure('reader', './two-readers.js');
    expect(e.code).toBe('MDM_PLUGIN_INVALID');
    expect(e.message).toMatch(/exports several readers \(reader "alpha", reader "beta"\); name one: .*two-readers\.js#NAME/);
    // A writer is not a reader, even when it is the only export.
    expect((await failure('writer', './plugins/local-reader.js')).message).toMatch(/does not export a writer \(it exports reader "csv"\)/);
  });

  it('resolves a package name as the type, whatever the channel inside is called', async () => {
    expect((await resolveChannel('reader', 'milvusdm-reader-fake', { bases: [project], baseDir: project })).plugin.name).toBe('fake');
    expect((await resolveChannel('writer', '@acme/milvusdm-writer-parquet', { bases: [project], baseDir: project })).plugin.name).toBe(
      'parquet',
    );
    // Not a dependency and not named by convention: found by its name in node_modules all the same.
    pkg(project, 'vectors-from-acme', {}, pluginCode('reader', 'acme-reader'));
    const r = await resolveChannel('reader', 'vectors-from-acme', { bases: [project], baseDir: project });
    expect([r.from, r.plugin.name]).toEqual(['vectors-from-acme', 'acme-reader']);
  });

  it('suggests the near channel name for a typo, installed or first-party', async () => {
    const installed = await failure('reader', 'fak');
    expect(installed.message).toBe('no reader plugin found for type "fak"; did you mean "fake"?');
    expect(installed.hint).toBe('Did you mean "fake"? It is installed.');
    const firstParty = await failure('reader', 'hdf6');
    expect(firstParty.message).toMatch(/did you mean "hdf5"\?$/);
    expect(firstParty.hint).toBe('Did you mean "hdf5"? Install it: npm i @milvusdm/reader-hdf5');
  });

  it('names the package that provides a first-party channel whose package is named otherwise', async () => {
    expect((await failure('reader', 'milvus1x')).hint).toMatch(/Install it: npm i @milvusdm\/reader-milvus-files$/);
    expect((await failure('writer', 'milvus')).hint).toMatch(/Install it: npm i @milvusdm\/writer-milvus$/);
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
