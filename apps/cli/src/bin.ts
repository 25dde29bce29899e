/** Entry point of the `milvusdm` command: wires signals, runs, exits with the code. */
import { EXIT_RUN_FAILED } from '@milvusdm/core';
import { main } from './cli.js';

const controller = new AbortController();
let interrupts = 0;
const onSignal = (name: string) => {
  interrupts += 1;
  if (interrupts > 1) {
    process.stderr.write(`\n${name} again: stopping now, without cleaning up\n`);
    process.exit(EXIT_RUN_FAILED);
  }
  process.stderr.write(`\n${name}: stopping after the batch in flight (again to force)\n`);
  controller.abort(new Error(`interrupted by ${name}`));
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

const code = await main(process.argv.slice(2), controller.signal);
process.exitCode = code;
// gRPC keeps sockets open for a while after close; do not wait for them.
setTimeout(() => process.exit(code), 100).unref();
