/**
 * Connection options shared by the Milvus reader and writer, as they appear in a job file.
 */
import { milvusNameProblem, milvusUriProblem, z } from '@milvusdm/core';

const envRef = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** A string that may be written as `${NAME}` to take its value from the environment. */
const secretString = z.string().transform((value, ctx) => {
  const m = envRef.exec(value);
  if (!m) return value;
  const resolved = process.env[m[1]!];
  if (resolved === undefined) {
    ctx.addIssue({ code: 'custom', message: `environment variable ${m[1]} is not set` });
    return z.NEVER;
  }
  return resolved;
});

/**
 * Milvus's rule for collection, partition and database names: a letter or underscore, then
 * letters, digits and underscores, at most 255 characters. Checked before anything opens, so a
 * name Milvus would refuse (or one that tries to smuggle quotes into an expression) stops the
 * run at once, naming the key.
 */
export function milvusName(kind: 'collection' | 'partition' | 'database') {
  return z.string().min(1).superRefine((name, ctx) => {
    const problem = milvusNameProblem(name, kind);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/** Why a `uri` cannot be used, or undefined. Only schemes milvusdm can speak are accepted. */
export const uriProblem = milvusUriProblem;

export const tlsOptions = z.union([
  z.boolean(),
  z.strictObject({
    /** PEM file of the CA that signed the server certificate. */
    ca: z.string().optional(),
    /** Client certificate and key, for mutual TLS. */
    cert: z.string().optional(),
    key: z.string().optional(),
    /** Name to check the server certificate against, when it differs from the host. */
    server_name: z.string().optional(),
    /** Accept any server certificate. For testing only. */
    skip_verify: z.boolean().optional(),
  }).refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: 'a client certificate needs both cert and key',
  }),
]);

export const connectionShape = {
  /**
   * Where Milvus is: `http://host:19530`, `https://…` (TLS), `host:port`, a Zilliz Cloud endpoint,
   * or a local folder, for which a Milvus Lite server is started for the run.
   */
  uri: z.string().min(1).superRefine((uri, ctx) => {
    const problem = uriProblem(uri);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  /** API key or `user:password` token (Zilliz Cloud, Milvus with authentication). */
  token: secretString.optional(),
  /** A file holding the token (first line), relative to the job file; kept out of the job. */
  token_file: z.string().min(1).optional(),
  user: z.string().optional(),
  password: secretString.optional(),
  /** A file holding the password (first line), relative to the job file. */
  password_file: z.string().min(1).optional(),
  database: milvusName('database').optional(),
  tls: tlsOptions.optional(),
  /** Seconds to wait for one request before giving up (default 120). */
  timeout: z.number().positive().max(86_400).optional(),
  /** Seconds to wait for the server's first answer when connecting (default 15). */
  connect_timeout: z.number().positive().max(3600).optional(),
  /** Retries of a call that failed for a passing reason (server restarting, rate limit); default 6. */
  retries: z.int().min(0).max(50).optional(),
};

/** Defaults, in seconds: what a user waits at most before a silent server is reported. */
export const DEFAULT_TIMEOUT_S = 120;
export const DEFAULT_CONNECT_TIMEOUT_S = 15;

// A type only: the reader's and writer's own objects spread the shape and do the parsing.
export type ConnectionOptions = z.output<ReturnType<typeof z.strictObject<typeof connectionShape>>>;
