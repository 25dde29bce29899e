/**
 * What users expect of a command line, checked on the real CLI process: version, help, init,
 * suggestions for typos, completion, and a pipe closed early. No server needed.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cliBin, repoRoot, runCli, tempDir } from '@milvusdm/testing';
import { parseOptions } from '@milvusdm/core';
import hdf5Reader from '@milvusdm/reader-hdf5';
import milvusWriter from '@milvusdm/writer-milvus';

const version = (JSON.parse(readFileSync(join(repoRoot, 'apps', 'cli', 'package.json'), 'utf8')) as { version: string }).version;

// Each case starts the CLI (a second or more on a loaded machine).
describe('the milvusdm command line', { timeout: 120_000 }, () => {
  it('prints its version for --version and -V', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      expect([r.code, r.stdout.trim()]).toEqual([0, version]);
    }
  });

  it('shows help when run bare, with every command and examples', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(0);
    for (const command of ['run <file>', 'init', 'inspect <target>', 'plugins', 'schema', 'completion'])
      expect(r.stdout).toContain(`milvusdm ${command}`);
    expect(r.stdout).toContain('Examples:');
    // Flags of `run` are not global: the top-level help does not list them.
    expect(r.stdout).not.toContain('--log-dir');
  });

  it("shows only a command's own flags in its help, with examples", async () => {
    const run = await runCli(['run', '--help']);
    expect(run.stdout).toMatch(/--log-dir/);
    expect(run.stdout).toMatch(/Examples:\n\s+milvusdm run job\.yaml/);
    const plugins = await runCli(['plugins', '--help']);
    expect(plugins.stdout).toMatch(/plugins add <packages\.\.>/);
    expect(plugins.stdout).not.toMatch(/--log-dir|--batch-rows|--quiet/);
  });

  it('init writes a commented job file whose keys are all the plugins’ own, and will not overwrite it', async () => {
    const dir = tempDir();
    const file = join(dir, 'job.yaml');
    const r = await runCli(['init', '--source', 'hdf5', '--target', 'milvus', '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe(
      '# yaml-language-server: $schema=https://raw.githubusercontent.com/milvusdm/milvusdm/main/schema/job.schema.json',
    );
    // Uncommenting every optional key must still give options the plugins accept.
    const full = parse(text.replace(/^(\s+)# (\w+: .*)$/gm, '$1$2')) as {
      source: Record<string, unknown>;
      target: Record<string, unknown>;
    };
    // Keys without a default show an empty placeholder: left out, as a user who does not set them would.
    const set = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ''));
    const { type: sourceType, ...source } = set(full.source);
    const { type: targetType, ...target } = set(full.target);
    expect([sourceType, targetType]).toEqual(['hdf5', 'milvus']);
    expect(() => parseOptions(hdf5Reader.options, { ...source, path: 'a.h5', ids: 'ids' }, 'source')).not.toThrow();
    expect(() => parseOptions(milvusWriter.options, { ...target, uri: 'http://localhost:19530', index: 'auto' }, 'target')).not.toThrow();
    const again = await runCli(['init', '--source', 'hdf5', '--target', 'milvus', '--out', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${file} exists; pass --force to overwrite it`);
  });

  it('suggests the channel meant by a typo, and names the package of one not installed', async () => {
    const r = await runCli(['init', '--source', 'hdf6', '--target', 'milvus']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no reader plugin found for type "hdf6"; did you mean "hdf5"?');
    const job = join(tempDir(), 'job.yaml');
    writeFileSync(job, 'source: { type: hdf5, paht: a.h5 }\ntarget: { type: hdf5, dir: out }\n');
    const key = await runCli(['run', job, '--log-dir', tempDir()]);
    expect(key.code).toBe(2);
    expect(key.stderr).toMatch(/source: unknown key "paht" \(did you mean "path"\?\)/);
  });

  it('prints a completion script that answers with the commands', async () => {
    const script = await runCli(['completion']);
    expect([script.code, script.stdout]).toEqual([0, expect.stringContaining('--get-yargs-completions')]);
    const words = await runCli(['--get-yargs-completions', 'milvusdm', '']);
    expect(words.stdout.split('\n')).toEqual(expect.arrayContaining(['run', 'init', 'plugins']));
  });

  it('ends quietly when the reader of its output goes away (| head)', async () => {
    const child = spawn(process.execPath, [cliBin, 'schema'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Read one chunk, then close the pipe, as `head -1` does.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });

  it('loads neither the logger nor a plugin for --help, but does for a run', async () => {
    // CommonJS modules (winston, the Milvus SDK, protobufjs) land in Node's module cache when
    // imported; list it after `main` returns.
    const probe = (args: string[]) =>
      `const { main } = await import(${JSON.stringify(join(repoRoot, 'apps', 'cli', 'dist', 'cli.js'))});\n` +
      `await main(${JSON.stringify(args)}, new AbortController().signal, { print() {}, message() {}, json() {}, beforeMessage() {} });\n` +
      `const { createRequire } = await import('node:module');\n` +
      `process.stdout.write('\\nMODULES ' + JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
    const loaded = async (args: string[]) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', probe(args)], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise((done) => child.on('close', done));
      return (JSON.parse(out.slice(out.lastIndexOf('\nMODULES ') + 9)) as string[]).join('\n');
    };
    const help = await loaded(['--help']);
    expect(help).not.toMatch(/winston|protobufjs|grpc|h5wasm/);
    const job = join(tempDir(), 'job.yaml');
    writeFileSync(
      job,
      `source: { type: hdf5, path: ${join(repoRoot, 'fixtures', 'seed', 'float_example.h5')} }\ntarget: { type: hdf5, dir: out }\n`,
    );
    // The probe can see a difference: a run loads the logger.
    expect(await loaded(['run', job, '--quiet', '--log-dir', tempDir()])).toMatch(/winston/);
  });
});
