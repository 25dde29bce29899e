/**
 * `milvusdm plugins add NAME…` / `remove NAME…`: npm installs into the CLI's own plugin folder
 * (see plugin-bases.ts), as oclif's user plugins do. Peers are not installed there
 * (`--legacy-peer-deps`): a plugin's `@milvusdm/core` is the CLI's own (see one-core.ts), so a
 * plugin costs its own dependencies and nothing more.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MilvusdmError, scanPlugins } from '@milvusdm/core';
import { userPluginDir } from '../plugin-bases.js';
import type { Output } from '../output.js';

async function dependencies(dir: string): Promise<string[]> {
  const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  return Object.keys(pkg.dependencies ?? {});
}

async function ensureFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const manifest = join(dir, 'package.json');
  try {
    await readFile(manifest, 'utf8');
  } catch {
    await writeFile(
      manifest,
      `${JSON.stringify({ name: 'milvusdm-user-plugins', private: true, description: 'Plugins added with milvusdm plugins add' }, null, 2)}\n`,
    );
  }
}

function npm(args: readonly string[], cwd: string, out: Output): Promise<number> {
  const command = process.env['MILVUSDM_NPM'] || 'npm';
  return new Promise((resolve, reject) => {
    // npm's own output goes to stderr: stdout stays for what milvusdm prints.
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => out.message(d.toString().trimEnd()));
    child.stderr.on('data', (d: Buffer) => out.message(d.toString().trimEnd()));
    child.on('error', (e) =>
      reject(
        new MilvusdmError('MDM_PLUGIN_LOAD', `cannot run ${command}: ${e.message}`, {
          hint: 'Install npm, or set MILVUSDM_NPM to its path.',
        }),
      ),
    );
    child.on('close', (code) => resolve(code ?? 1));
  });
}

export async function pluginsInstallCommand(action: 'add' | 'remove', packages: readonly string[], out: Output): Promise<number> {
  const dir = userPluginDir();
  await ensureFolder(dir);
  const args =
    action === 'add'
      ? ['install', '--save', '--legacy-peer-deps', '--no-audit', '--no-fund', ...packages]
      : ['uninstall', '--legacy-peer-deps', '--no-audit', '--no-fund', ...packages];
  const before = await dependencies(dir);
  const code = await npm(args, dir, out);
  if (code !== 0) throw new MilvusdmError('MDM_PLUGIN_LOAD', `npm ${args[0]} ${packages.join(' ')} failed in ${dir} (exit code ${code})`);
  if (action === 'remove') {
    out.message(`removed ${packages.join(', ')} from ${dir}`);
    return 0;
  }
  const found = await scanPlugins([dir]);
  // What was added, by name: new dependencies (also for a tarball or a path), or the names asked for.
  const after = await dependencies(dir);
  const asked = packages.map((spec) => spec.replace(/^(@?[^@]+)@.*$/, '$1'));
  const added = after.filter((name) => !before.includes(name) || asked.includes(name));
  for (const name of added) {
    const plugin = found.find((p) => p.packageName === name);
    if (!plugin) out.message(`warning: ${name} was installed but is not a milvusdm plugin (no "milvusdm" manifest in its package.json)`);
    else if (plugin.problem) out.message(`warning: ${name} is unusable: ${plugin.problem}`);
    else
      out.message(
        `added ${name}${plugin.version ? `@${plugin.version}` : ''}: ${plugin.manifest?.channels.map((c) => `${c.kind} ${c.name}`).join(', ')}`,
      );
  }
  return 0;
}
