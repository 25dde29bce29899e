/**
 * Node 22.1 and later keep V8's compiled code of every module on disk between runs when asked
 * (`module.enableCompileCache`): the CLI's start-up is mostly compiling its modules (yargs, zod,
 * the core, the Milvus SDK, h5wasm's 4 MiB glue), again on every run. Node puts the cache in the
 * OS's temporary folder and checks each entry against its source; `NODE_DISABLE_COMPILE_CACHE=1`
 * turns it off. Node 20 has no such cache: there this does nothing.
 *
 * Imported first by bin.ts, so every module the CLI loads after it can use the cache.
 */
import * as nodeModule from 'node:module';

const enable = (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache;
try {
  enable?.();
} catch {
  // A cache that cannot be set up (a read-only temporary folder) only costs the start-up it saves.
}
