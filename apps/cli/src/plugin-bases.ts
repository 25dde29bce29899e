/** Folders plugins are looked up from, nearest first. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The CLI package's own folder: plugins installed beside a global milvusdm are found from here. */
export function cliPackageDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..');
}

export function pluginBases(jobDir: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env['MILVUSDM_PLUGIN_PATH'] ?? '').split(':').filter(Boolean);
  const bases = [...(jobDir ? [jobDir] : []), process.cwd(), ...extra, cliPackageDir()];
  return [...new Set(bases.map((b) => resolve(b)))];
}
