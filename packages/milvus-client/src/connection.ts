/**
 * One connection to a Milvus server for the length of a run: the SDK client for control-plane
 * calls, raw byte-level calls for the data path, and a Milvus Lite server when the uri is a
 * local folder. Every answer is checked; transport errors become one-line messages that name
 * the server and the job key.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client, Metadata, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { MilvusClient, promisify } from '@zilliz/milvus2-sdk-node';
import { MilvusdmError, errorMessage, type ChannelContext, type ErrorCode } from '@milvusdm/core';
import { parseMilvusUri } from './address.js';
import type { ConnectionOptions } from './connection-options.js';
import { startMilvusLite, type LiteServer } from './lite.js';
import { ensureOk, isSuccess } from './status.js';

const SERVICE = '/milvus.proto.milvus.MilvusService';

/** The parts of the SDK client the data path reuses: its credentials, options and call metadata. */
interface SdkInternals {
  readonly creds: ChannelCredentials;
  readonly channelOptions: ChannelOptions & { interceptors?: unknown };
  readonly metadata: Map<string, string>;
}

export class MilvusConnection {
  /** A plain gRPC channel for the data path (see raw()). */
  private dataClient: Client | undefined;

  private constructor(
    readonly client: MilvusClient,
    /** The address the channel connects to. */
    private readonly address: string,
    /** `host:port` (or the Milvus Lite folder) for messages. */
    readonly display: string,
    readonly database: string | undefined,
    private readonly timeoutMs: number,
    private readonly lite: LiteServer | undefined,
    /** The job key this connection came from, e.g. `target.uri`, for messages. */
    readonly where: string,
  ) {}

  static async open(options: ConnectionOptions, context: ChannelContext, where: string): Promise<MilvusConnection> {
    context.redact(options.token);
    context.redact(options.password);
    const target = parseMilvusUri(options.uri, context.baseDir);
    let lite: LiteServer | undefined;
    let address: string;
    let ssl = false;
    if (target.kind === 'lite') {
      lite = await startMilvusLite(target.dataDir, context.logger, `${where}.uri`);
      address = lite.address;
    } else {
      address = target.address;
      ssl = target.ssl || options.tls !== undefined && options.tls !== false;
    }
    const timeoutMs = (options.timeout ?? 600) * 1000;
    const tls = typeof options.tls === 'object' ? options.tls : undefined;
    const readPem = (file: string | undefined, key: string) => {
      if (!file) return undefined;
      try {
        return readFileSync(resolve(context.baseDir, file));
      } catch (e) {
        throw new MilvusdmError('MDM_CONFIG', `${where}.tls.${key}: cannot read ${file}: ${errorMessage(e)}`, { exitCode: 2 });
      }
    };
    const client = new MilvusClient({
      address,
      ssl,
      ...(options.token ? { token: options.token } : {}),
      ...(options.user ? { username: options.user } : {}),
      ...(options.password ? { password: options.password } : {}),
      ...(options.database ? { database: options.database } : {}),
      ...(tls
        ? {
            tls: {
              ...(tls.ca ? { rootCert: readPem(tls.ca, 'ca')! } : {}),
              ...(tls.cert ? { certChain: readPem(tls.cert, 'cert')! } : {}),
              ...(tls.key ? { privateKey: readPem(tls.key, 'key')! } : {}),
              ...(tls.server_name ? { serverName: tls.server_name } : {}),
              ...(tls.skip_verify ? { skipCertCheck: true } : {}),
            },
          }
        : {}),
      timeout: timeoutMs,
      // No keep-alive pings on an idle channel: Milvus Lite rejects them as excessive.
      channelOptions: { 'grpc.keepalive_permit_without_calls': 0, 'grpc.keepalive_time_ms': 60_000 },
      maxRetries: 2,
      logLevel: 'error',
      telemetry: { enabled: false },
    });
    const display = lite ? `Milvus Lite ${lite.dataDir}` : address;
    const connection = new MilvusConnection(client, address, display, options.database, timeoutMs, lite, where);
    try {
      await connection.check();
    } catch (e) {
      await connection.close();
      throw e;
    }
    context.logger.info(`connected to ${display}${options.database ? ` database ${options.database}` : ''}`);
    return connection;
  }

  /** Fails with a clear message unless the server answers a simple call with success. */
  private async check(): Promise<void> {
    try {
      await this.client.connectPromise;
    } catch (e) {
      throw this.transportError(e, 'connect');
    }
    try {
      await this.sdk('ShowCollections', {}, 'list collections', 'MDM_CONNECT');
    } catch (e) {
      if (e instanceof MilvusdmError && e.message.includes('empty answer')) {
        throw new MilvusdmError('MDM_CONNECT', `no valid answer from ${this.display} (${this.where}.uri): is it a Milvus server?`);
      }
      throw e;
    }
  }

  /** Turns a gRPC failure into a one-line error naming the server. */
  transportError(e: unknown, what: string): MilvusdmError {
    if (e instanceof MilvusdmError) return e;
    const code = (e as { code?: number }).code;
    const detail = ((e as { details?: string }).details || errorMessage(e)).split('\n')[0];
    const at = `${this.display} (${this.where}.uri)`;
    let kind: ErrorCode = 'MDM_TARGET';
    let message = `${what} on ${at} failed: ${detail}`;
    if (code === 14) {
      kind = 'MDM_CONNECT';
      message = `cannot reach Milvus at ${at}: ${detail}`;
    } else if (code === 16 || code === 7) {
      kind = 'MDM_CONNECT';
      message = `Milvus at ${at} refused the credentials: ${detail}`;
    } else if (code === 4) {
      message = `${what} on ${at} timed out after ${this.timeoutMs / 1000} s`;
    } else if (code === 12) {
      message = `${what}: ${at} does not implement this operation`;
    }
    return new MilvusdmError(kind, message, { cause: e });
  }

  /** A raw SDK RPC by method name, with its status checked. */
  async sdk<T = Record<string, unknown>>(method: string, params: Record<string, unknown>, what: string, code: ErrorCode = 'MDM_TARGET'): Promise<T> {
    let answer: unknown;
    try {
      answer = await promisify((this.client as unknown as { channelPool: Parameters<typeof promisify>[0] }).channelPool, method, params, this.timeoutMs);
    } catch (e) {
      throw this.transportError(e, what);
    }
    const status = (answer as { status?: { reason?: string } } | undefined)?.status;
    if (code === 'MDM_CONNECT' && status && !isSuccess(status) && /auth|credential|password|permission|denied/i.test(status.reason ?? '')) {
      throw new MilvusdmError('MDM_CONNECT', `Milvus at ${this.display} (${this.where}.uri) refused the credentials: ${status.reason}`);
    }
    return ensureOk(answer as T, what, code);
  }

  /**
   * Sends pre-encoded request bytes and returns the answer's bytes. This goes through a channel
   * of our own, with the SDK's credentials and metadata but not its interceptors: the SDK's
   * retry interceptor JSON-stringifies every request for a debug log, which for a 16 MB insert
   * costs more than the insert itself.
   */
  async raw(method: string, request: Uint8Array, what: string): Promise<Buffer> {
    const sdk = this.client as unknown as SdkInternals;
    if (!this.dataClient) {
      const { interceptors: _ignored, ...options } = sdk.channelOptions;
      this.dataClient = new Client(this.address, sdk.creds, options);
    }
    const metadata = new Metadata();
    for (const [key, value] of sdk.metadata) metadata.add(key, value);
    const argument = Buffer.from(request.buffer, request.byteOffset, request.byteLength);
    return new Promise<Buffer>((ok, fail) => {
      this.dataClient!.makeUnaryRequest(
        `${SERVICE}/${method}`,
        (b: Buffer) => b,
        (b: Buffer) => b,
        argument,
        metadata,
        { deadline: new Date(Date.now() + this.timeoutMs) },
        (error, value) => (error ? fail(this.transportError(error, what)) : ok(value ?? Buffer.alloc(0))),
      );
    });
  }

  async close(): Promise<void> {
    this.dataClient?.close();
    try {
      await this.client.closeConnection();
    } catch {
      // Closing a channel that never opened is not an error worth reporting.
    }
    await this.lite?.stop();
  }
}
