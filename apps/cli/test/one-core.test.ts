/**
 * Which `@milvusdm/core` a plugin would import by itself: the CLI registers its resolve hook
 * only when that is not the CLI's own (one-core.ts). Layouts built here as npm and pnpm leave
 * them: one shared copy, a copy nested under a plugin, a symlink into a store, none at all.
 */
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreSeenFrom } from '../src/one-core.js';

function tree(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'milvusdm-one-core-')));
}

function makeCore(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"name":"@milvusdm/core"}');
  return dir;
}

describe('coreSeenFrom', () => {
  it('finds the shared copy of a local project from the CLI and from a plugin alike', () => {
    const root = tree();
    const core = makeCore(join(root, 'node_modules', '@milvusdm', 'core'));
    const cli = join(root, 'node_modules', '@milvusdm', 'cli', 'dist');
    const plugin = join(root, 'node_modules', '@milvusdm', 'writer-hdf5', 'dist');
    mkdirSync(cli, { recursive: true });
    mkdirSync(plugin, { recursive: true });
    expect(coreSeenFrom(cli)).toBe(core);
    expect(coreSeenFrom(plugin)).toBe(core);
  });

  it('finds a copy nested under a plugin first (npm i -g of separate packages): another core', () => {
    const root = tree();
    const shared = makeCore(join(root, 'lib', 'node_modules', '@milvusdm', 'cli', 'node_modules', '@milvusdm', 'core'));
    const nested = makeCore(join(root, 'lib', 'node_modules', '@milvusdm', 'reader-hdf5', 'node_modules', '@milvusdm', 'core'));
    const plugin = join(root, 'lib', 'node_modules', '@milvusdm', 'reader-hdf5', 'dist');
    mkdirSync(plugin, { recursive: true });
    expect(coreSeenFrom(join(root, 'lib', 'node_modules', '@milvusdm', 'cli', 'dist'))).toBe(shared);
    expect(coreSeenFrom(plugin)).toBe(nested);
  });

  it('follows a symlinked core to its real folder (pnpm), and says so when there is none', () => {
    const root = tree();
    const store = makeCore(join(root, 'store', 'core'));
    mkdirSync(join(root, 'app', 'node_modules', '@milvusdm'), { recursive: true });
    symlinkSync(store, join(root, 'app', 'node_modules', '@milvusdm', 'core'));
    mkdirSync(join(root, 'app', 'dist'), { recursive: true });
    expect(coreSeenFrom(join(root, 'app', 'dist'))).toBe(store);
    // A plugin folder with no core anywhere above it (`plugins add` installs no peers).
    mkdirSync(join(root, 'plugins', 'node_modules', 'milvusdm-reader-csv', 'dist'), { recursive: true });
    expect(coreSeenFrom(join(root, 'plugins', 'node_modules', 'milvusdm-reader-csv', 'dist'))).toBeUndefined();
  });

  it('does not look for node_modules/node_modules', () => {
    const root = tree();
    makeCore(join(root, 'node_modules', 'node_modules', '@milvusdm', 'core'));
    const dir = join(root, 'node_modules', 'x');
    mkdirSync(dir, { recursive: true });
    expect(coreSeenFrom(dir)).toBeUndefined();
  });
});
