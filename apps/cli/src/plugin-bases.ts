/** Folders plugins are looked up from, nearest first. */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The CLI package's own folder: plugins installed beside a global milvusdm are found from here. */
export function cliPackageDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..');
}

/**
 * The CLI's own plugin folder, where `milvusdm plugins add` installs (like oclif's user
 * plugins): `$MILVUSDM_PLUGINS_DIR`, else `$XDG_DATA_HOME/milvusdm/plugins`, else
 * `~/.local/share/milvusdm/plugins`. It works the same for a global, local or npx install.
 */
export function userPluginDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['MILVUSDM_PLUGINS_DIR'];
  if (explicit) return resolve(explicit);
  return join(env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share'), 'milvusdm', 'plugins');
}

/**
 * The job file's folder and the working directory first (a project's own plugins win, as
 * graphql-codegen resolves from the user's folder), then `$MILVUSDM_PLUGIN_PATH`, the CLI's
 * plugin folder, and the CLI's install (plugins installed beside it).
 */
export function pluginBases(jobDir: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env['MILVUSDM_PLUGIN_PATH'] ?? '').split(':').filter(Boolean);
  const bases = [...(jobDir ? [jobDir] : []), process.cwd(), ...extra, userPluginDir(env), cliPackageDir()];
  return [...new Set(bases.map((b) => resolve(b)))];
}
