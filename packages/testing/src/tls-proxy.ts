/**
 * A TLS front for a plaintext Milvus server, for testing TLS connections: Node's own TLS server
 * (negotiating HTTP/2 by ALPN, as gRPC requires) piping each connection to the server's port.
 * Certificates come from the `openssl` command: a CA, and a server certificate for a name.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { join } from 'node:path';
import { createServer } from 'node:tls';

export interface TlsMaterial {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** A client certificate signed by the same CA, for mutual TLS. */
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
}

/** A throw-away CA and a server certificate for `serverName`, written into `dir`. */
export function makeCertificates(dir: string, serverName: string): TlsMaterial {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=milvusdm test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  ]);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${serverName}`, '-keyout', 'server.key', '-out', 'server.csr']);
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=DNS:${serverName}\n`);
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
    '-out',
    'server.pem',
  ]);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=milvusdm test client', '-keyout', 'client.key', '-out', 'client.csr']);
  writeFileSync(join(dir, 'client-ext.cnf'), 'extendedKeyUsage=clientAuth\n');
  run([
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'client-ext.cnf',
    '-out',
    'client.pem',
  ]);
  return {
    caPem: join(dir, 'ca.pem'),
    certPem: join(dir, 'server.pem'),
    keyPem: join(dir, 'server.key'),
    clientCertPem: join(dir, 'client.pem'),
    clientKeyPem: join(dir, 'client.key'),
  };
}

/**
 * `requireClientCert`: mutual TLS — a client without a certificate signed by the CA is
 * refused during the handshake, as a server configured with `tlsMode: 2` refuses it.
 */
export async function startTlsProxy(
  targetPort: number,
  material: TlsMaterial,
  options: { requireClientCert?: boolean } = {},
): Promise<{ port: number; close(): Promise<void> }> {
  const mutual = options.requireClientCert ? { requestCert: true, rejectUnauthorized: true, ca: readFileSync(material.caPem) } : {};
  const server = createServer(
    { cert: readFileSync(material.certPem), key: readFileSync(material.keyPem), ALPNProtocols: ['h2'], ...mutual },
    (socket) => {
      const upstream = connect({ host: '127.0.0.1', port: targetPort });
      socket.pipe(upstream).pipe(socket);
      const end = () => {
        socket.destroy();
        upstream.destroy();
      };
      socket.on('error', end);
      upstream.on('error', end);
    },
  );
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise<void>((ok) => (server as unknown as Server).close(() => ok())) };
}
