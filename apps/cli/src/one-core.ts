/**
 * One core at run time, however the CLI and its plugins were installed. npm installs a peer
 * dependency once per global package (and `plugins add` installs none), so a plugin's own
 * `import '@milvusdm/core'` could find another copy, or nothing. A module resolve hook answers
 * every import of `@milvusdm/core` (and its subpaths) as if the CLI itself had asked.
 *
 * The hook is registered only when a plugin about to be imported would not find the CLI's own
 * core by itself: every module import then goes through the hook's thread (about 0.3–0.5 s of
 * CPU for a run that loads the Milvus SDK), which first-party plugins installed beside the CLI
 * never need. Registered only by the commands that load plugins: `--help` pays for nothing.
 */
import { existsSync, realpathSync } from 'node:fs';
import { register } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setPluginImportGuard } from '@milvusdm/core';

let guarded = false;
let registered = false;

/**
 * The real folder of the `@milvusdm/core` that an import from a module in `dir` finds: the first
 * `node_modules/@milvusdm/core` up the folder chain, as Node's resolver looks (a folder named
 * node_modules is not searched for a nested one). Undefined when there is none.
 */
export function coreSeenFrom(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (basename(d) !== 'node_modules') {
      const candidate = join(d, 'node_modules', '@milvusdm', 'core');
      if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    }
    if (dirname(d) === d) return undefined;
  }
}

export function useCliCoreForPlugins(): void {
  if (guarded) return;
  guarded = true;
  const cliCore = coreSeenFrom(dirname(fileURLToPath(import.meta.url)));
  setPluginImportGuard((file) => {
    if (registered) return;
    let pluginCore: string | undefined;
    try {
      // Imports resolve from the module's real location (symlinks followed), as Node does.
      pluginCore = coreSeenFrom(dirname(realpathSync(file)));
    } catch {
      pluginCore = undefined;
    }
    if (cliCore !== undefined && pluginCore === cliCore) return;
    registered = true;
    register('./core-hook.js', import.meta.url, { data: { parentURL: import.meta.url } });
  });
}
