/**
 * The worker thread behind `KeyChecker`: it holds the duplicate finders of a run, so the
 * look-ups (a cache miss or two a key once keys come in no order) run beside the reader and
 * the writer instead of between them.
 *
 * Messages are handled in the order they arrive, so the batches of one finder are checked in
 * stream order however many are in flight.
 */
import { parentPort } from 'node:worker_threads';
import { DuplicateFinder } from './duplicates.js';
import type { KeyWorkerReply, KeyWorkerRequest } from './key-checker.js';

const finders = new Map<number, DuplicateFinder>();
const port = parentPort!;

function reply(message: KeyWorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

port.on('message', (request: KeyWorkerRequest) => {
  try {
    switch (request.op) {
      case 'open':
        finders.set(request.finder, new DuplicateFinder(request.windowKeys, request.expectedKeys));
        reply({ id: request.id });
        break;
      case 'check': {
        const finder = finders.get(request.finder);
        if (!finder) throw new Error(`duplicate check: finder ${request.finder} is not open`);
        const repeated = finder.checkWords(request.words, request.ordered);
        reply({ id: request.id, repeated }, [repeated.buffer as ArrayBuffer]);
        break;
      }
      case 'close':
        finders.get(request.finder)?.close();
        finders.delete(request.finder);
        reply({ id: request.id });
        break;
    }
  } catch (e) {
    reply({ id: request.id, error: e instanceof Error ? e.message : String(e) });
  }
});
