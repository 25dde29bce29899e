/**
 * One core at run time, however the CLI and its plugins were installed. npm installs a peer
 * dependency once per global package (and `plugins add` installs none), so a plugin's own
 * `import '@milvusdm/core'` could find another copy, or nothing. A module resolve hook answers
 * every import of `@milvusdm/core` (and its subpaths) as if the CLI itself had asked.
 * Registered only by the commands that load plugins: `--help` does not pay for the hook thread.
 */
import { register } from 'node:module';

let registered = false;

export function useCliCoreForPlugins(): void {
  if (registered) return;
  registered = true;
  register('./core-hook.js', import.meta.url, { data: { parentURL: import.meta.url } });
}
