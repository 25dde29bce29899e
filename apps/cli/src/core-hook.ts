/**
 * Module resolve hook (runs on Node's loader thread, see one-core.ts): `@milvusdm/core` and its
 * subpaths resolve from the CLI's own folder, whoever imports them.
 */
interface ResolveContext {
  parentURL?: string | undefined;
  conditions?: readonly string[];
  importAttributes?: Record<string, string>;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<{ url: string }>;

let cliURL: string | undefined;

export function initialize(data: { parentURL: string }): void {
  cliURL = data.parentURL;
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string }> {
  if (cliURL && (specifier === '@milvusdm/core' || specifier.startsWith('@milvusdm/core/'))) {
    return next(specifier, { ...context, parentURL: cliURL });
  }
  return next(specifier, context);
}
