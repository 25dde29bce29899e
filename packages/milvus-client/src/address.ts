/**
 * What a `uri` option points at: a Milvus server address (with or without TLS) or a local folder
 * for Milvus Lite.
 */
import { isAbsolute, resolve } from 'node:path';

export type MilvusTarget =
  { readonly kind: 'server'; readonly address: string; readonly ssl: boolean } | { readonly kind: 'lite'; readonly dataDir: string };

export function parseMilvusUri(uri: string, baseDir: string): MilvusTarget {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(uri);
  if (scheme) {
    const protocol = scheme[1]!.toLowerCase();
    const rest = scheme[2]!.replace(/\/+$/, '');
    if (protocol === 'file') return { kind: 'lite', dataDir: resolve(baseDir, rest) };
    const ssl = protocol === 'https' || protocol === 'grpcs';
    // Zilliz Cloud and TLS servers often omit the port: 443 with TLS, 19530 without.
    const address = /:\d+$/.test(rest) ? rest : `${rest}:${ssl ? 443 : 19530}`;
    return { kind: 'server', address, ssl };
  }
  if (uri.startsWith('unix:')) return { kind: 'server', address: uri, ssl: false };
  if (/^[^/\\:]+:\d+$/.test(uri) || /^\[[0-9a-f:]+\]:\d+$/i.test(uri)) return { kind: 'server', address: uri, ssl: false };
  // Anything else is a path: a folder that holds (or will hold) a Milvus Lite database.
  const path = uri.startsWith('~/') ? `${process.env['HOME'] ?? ''}/${uri.slice(2)}` : uri;
  return { kind: 'lite', dataDir: isAbsolute(path) ? path : resolve(baseDir, path) };
}
