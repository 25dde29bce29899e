/** Entry point of the `milvusdm` command: wires signals and pipes, runs, exits with the code. */
import './compile-cache.js';
import { setMaxListeners } from 'node:events';
import { printHelpSnapshot } from './help-snapshot.js';
import { capYoungGeneration, youngGenerationCap } from './young-generation.js';

// The exit code of a run that failed (EXIT_RUN_FAILED in core, not imported: start-up stays light).
const RUN_FAILED = 1;

// `milvusdm … | head` closes the pipe early: that is the reader's choice, not an error to report.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const controller = new AbortController();
// Every request in flight listens to this signal (dozens at once while a reader counts key
// ranges), and each removes its listener when it ends: more than Node's default 10 is no leak.
setMaxListeners(0, controller.signal);
let interrupts = 0;
const onSignal = (name: string) => {
  interrupts += 1;
  if (interrupts > 1) {
    process.stderr.write(`\n${name} again: stopping now, without cleaning up\n`);
    process.exit(RUN_FAILED);
  }
  process.stderr.write(`\n${name}: stopping after the batch in flight (again to force)\n`);
  controller.abort(new Error(`interrupted by ${name}`));
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

/** Every command but `--help`: the young generation held small (young-generation.ts), then the CLI. */
async function runCli(argv: string[]): Promise<number> {
  try {
    capYoungGeneration(youngGenerationCap());
  } catch (e) {
    process.stderr.write(`error MDM_CONFIG: ${(e as Error).message}\n`);
    return 2;
  }
  return (await import('./cli.js')).main(argv, controller.signal);
}

const args = process.argv.slice(2);
const code = printHelpSnapshot(args) ? 0 : await runCli(args);
process.exitCode = code;
// gRPC keeps sockets open for a while after close; do not wait for them.
setTimeout(() => process.exit(code), 100).unref();
