/**
 * Input rules shared by the job formats and the Milvus channels, checked before anything
 * opens: names Milvus accepts, and the address schemes milvusdm can speak.
 */

/** Milvus's rule for collection, partition and database names (at most 255 characters). */
export const MILVUS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function milvusNameProblem(name: string, kind: 'collection' | 'partition' | 'database'): string | undefined {
  if (name.length > 255) return `not a valid Milvus ${kind} name: longer than 255 characters`;
  if (!MILVUS_NAME.test(name))
    return `not a valid Milvus ${kind} name: use letters, digits and _, starting with a letter or _ (got ${JSON.stringify(name)})`;
  return undefined;
}

const SCHEMES = ['http', 'https', 'grpc', 'grpcs', 'tcp', 'file'];

/** Why a Milvus `uri` cannot be used, or undefined. A uri without a scheme is a host:port or a local folder. */
export function milvusUriProblem(uri: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri);
  if (scheme && !SCHEMES.includes(scheme[1]!.toLowerCase())) {
    return `unsupported scheme "${scheme[1]}://": use http://, https://, grpc://, grpcs://, tcp:// or a local folder (Milvus Lite)`;
  }
  if (/\s/.test(uri.trim())) return 'contains white space';
  return undefined;
}
