// Writes dist/help-<width>.txt: the top-level `milvusdm --help` exactly as yargs prints it at the
// widths most users get (100: output piped or redirected; 120: any terminal of 120 columns or
// more). bin.ts prints a snapshot when one matches, so `milvusdm --help` does not load yargs,
// whose help layout (cliui, string-width's Unicode tables) costs more than Node's own start-up.
// Run by `pnpm build` after tsc; a stale or missing snapshot only means yargs prints the help.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
for (const width of [100, 120]) {
  // Piped, stdout has no columns: set them as a terminal of that width would.
  const preset = `data:text/javascript,process.stdout.columns=${width};process.env.MILVUSDM_NO_HELP_SNAPSHOT='1'`;
  const r = spawnSync(process.execPath, ['--import', preset, bin, '--help'], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout.startsWith('Move vector data')) {
    throw new Error(`milvusdm --help at width ${width} failed (${r.status}):\n${r.stderr}`);
  }
  writeFileSync(fileURLToPath(new URL(`../dist/help-${width}.txt`, import.meta.url)), r.stdout);
}
