/**
 * Connection options shared by the Milvus reader and writer, as they appear in a job file.
 */
import { milvusNameProblem, milvusUriProblem, z } from '@milvusdm/core';

const envRef = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** A string that may be written as `${NAME}` to take its value from the environment. */
export const secretString = z.string().transform((value, ctx) => {
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
  return z
    .string()
    .min(1)
    .superRefine((name, ctx) => {
      const problem = milvusNameProblem(name, kind);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/** Why a `uri` cannot be used, or undefined. Only schemes milvusdm can speak are accepted. */
export const uriProblem = milvusUriProblem;

export const tlsOptions = z
  .union([
    z.boolean(),
    z
      .strictObject({
        ca: z.string().optional().describe('PEM file of the CA that signed the server certificate (default: the system CAs).'),
        cert: z.string().optional().describe('PEM file of the client certificate, for mutual TLS (needs key).'),
        key: z.string().optional().describe('PEM file of the client key, for mutual TLS (needs cert).'),
        server_name: z
          .string()
          .optional()
          .describe('Name to check the server certificate against, when it differs from the host (default: the host).'),
        skip_verify: z.boolean().optional().describe('Accept any server certificate; for testing only (default false).'),
      })
      .refine((t) => (t.cert === undefined) === (t.key === undefined), {
        message: 'a client certificate needs both cert and key',
      }),
  ])
  .describe(
    'Whether and how to use TLS: true for the system CAs, or {ca, cert, key, server_name, skip_verify} (default: on for https:// URIs only).',
  );

export const connectionShape = {
  uri: z
    .string()
    .min(1)
    .superRefine((uri, ctx) => {
      const problem = uriProblem(uri);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(
      'Where Milvus is: http://host:19530, https://… (TLS), host:port, a Zilliz Cloud endpoint, or a local folder for a Milvus Lite server started for the run (required).',
    ),
  token: secretString
    .optional()
    .describe(
      'API key or user:password token (Zilliz Cloud, Milvus with authentication); `${NAME}` reads it from the environment (default: none).',
    ),
  token_file: z
    .string()
    .min(1)
    .optional()
    .describe('A file whose first line is the token, relative to the job file, to keep it out of the job (default: none).'),
  user: z.string().optional().describe('User name, with password, for Milvus with authentication (default: none).'),
  password: secretString.optional().describe('Password of user; `${NAME}` reads it from the environment (default: none).'),
  password_file: z
    .string()
    .min(1)
    .optional()
    .describe('A file whose first line is the password, relative to the job file (default: none).'),
  database: milvusName('database').optional().describe('Milvus database holding the collection (default: `default`).'),
  tls: tlsOptions.optional(),
  timeout: z.number().positive().max(86_400).optional().describe('Seconds to wait for one request before giving up (default 120).'),
  connect_timeout: z
    .number()
    .positive()
    .max(3600)
    .optional()
    .describe("Seconds to wait for the server's first answer when connecting (default 15)."),
  retries: z
    .int()
    .min(0)
    .max(50)
    .optional()
    .describe('Retries of a call that failed for a passing reason, such as a server restarting or a rate limit (default 6).'),
};

/** Defaults, in seconds: what a user waits at most before a silent server is reported. */
export const DEFAULT_TIMEOUT_S = 120;
export const DEFAULT_CONNECT_TIMEOUT_S = 15;

// A type only: the reader's and writer's own objects spread the shape and do the parsing.
export type ConnectionOptions = z.output<ReturnType<typeof z.strictObject<typeof connectionShape>>>;
