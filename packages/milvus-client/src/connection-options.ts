/**
 * Connection options shared by the Milvus reader and writer, as they appear in a job file.
 */
import { z } from '@milvusdm/core';

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
  }),
]);

export const connectionShape = {
  /**
   * Where Milvus is: `http://host:19530`, `https://…` (TLS), `host:port`, a Zilliz Cloud endpoint,
   * or a local folder, for which a Milvus Lite server is started for the run.
   */
  uri: z.string().min(1),
  /** API key or `user:password` token (Zilliz Cloud, Milvus with authentication). */
  token: secretString.optional(),
  user: z.string().optional(),
  password: secretString.optional(),
  database: z.string().optional(),
  tls: tlsOptions.optional(),
  /** Seconds to wait for one request before giving up. */
  timeout: z.number().positive().max(86_400).optional(),
};

const connectionObject = z.strictObject(connectionShape);
export type ConnectionOptions = z.output<typeof connectionObject>;
