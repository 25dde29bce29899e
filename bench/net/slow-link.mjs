// A TCP relay that holds every chunk for a fixed time in each direction: a server across a slow
// link (another region, a VPN) where the kernel has no `netem`. Order is kept, nothing is dropped
// (and nothing pushes back: the relay buffers what it holds); HTTP/2's flow control then meets the
// delay as it would on a real link (its window updates are late too). It costs CPU on the same
// cores as the client and the server: figures through it are for comparing contenders side by side.
//   import { startSlowLink } from './net/slow-link.mjs';
//   const link = await startSlowLink('127.0.0.1', 19530, 25); // link.port: 50 ms round trips
//   …; await link.close();
// As a program: node bench/net/slow-link.mjs TARGET_HOST TARGET_PORT ONE_WAY_MS [LISTEN_PORT]
import { createServer, connect } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Forwards `from`'s data to `to`, each chunk `delayMs` after it arrived, in order. */
function delayed(from, to, delayMs) {
  const queue = [];
  let timer;
  const flush = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0].at <= now) to.write(queue.shift().chunk);
    if (queue.length > 0) timer = setTimeout(flush, queue[0].at - now);
    else if (from.readableEnded && !to.writableEnded) to.end();
  };
  from.on('data', (chunk) => {
    queue.push({ at: performance.now() + delayMs, chunk });
    timer ??= setTimeout(flush, delayMs);
  });
  from.on('end', () => {
    if (queue.length === 0) to.end();
  });
}

export async function startSlowLink(host, port, oneWayMs, listenPort = 0) {
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect(port, host);
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    delayed(client, upstream, oneWayMs);
    delayed(upstream, client, oneWayMs);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [host, port, ms, listen] = process.argv.slice(2);
  if (!host || !(Number(port) > 0) || !(Number(ms) >= 0)) {
    console.error('usage: node bench/net/slow-link.mjs TARGET_HOST TARGET_PORT ONE_WAY_MS [LISTEN_PORT]');
    process.exit(2);
  }
  const link = await startSlowLink(host, Number(port), Number(ms), Number(listen ?? 0));
  console.log(`relaying 127.0.0.1:${link.port} → ${host}:${port}, ${ms} ms each way`);
}
