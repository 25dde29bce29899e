/**
 * One connection to a Milvus server for the length of a run: the SDK client for control-plane
 * calls, raw byte-level calls for the data path, and a Milvus Lite server when the uri is a
 * local folder. Every answer is checked; transport errors become one-line messages that name
 * the server and the job key.
 *
 * Time limits (so a server that accepts the connection and never answers is reported, not
 * waited on): the first answer must come within `connect_timeout` (15 s by default), every
 * later call within `timeout` (120 s by default). Calls that fail for a passing reason are
 * repeated with backoff (see retry.ts); every wait ends at once on Ctrl-C.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client, Metadata, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { MilvusdmError, errorMessage, type ChannelContext, type ErrorCode, type Logger } from '@milvusdm/core';
import { parseMilvusUri } from './address.js';
import { DEFAULT_CONNECT_TIMEOUT_S, DEFAULT_TIMEOUT_S, type ConnectionOptions } from './connection-options.js';
import { startMilvusLite, type LiteServer } from './lite.js';
import { DEFAULT_RETRY, abortError, classifyFailure, withRetry, type RetryPolicy } from './retry.js';
import { ServerRefusal, isStatusObject, isSuccess, ensureOk, statusReason } from './status.js';
import { MilvusClient, constructSharingProtoDefinitions, promisify } from './sdk.js';
import { SlowCallWatch } from './slow-call.js';
import { RequestBuffers } from './wire/request-buffers.js';

const SERVICE = '/milvus.proto.milvus.MilvusService';

/** The parts of the SDK client the data path reuses: its credentials, options and call metadata. */
interface SdkInternals {
  readonly creds: ChannelCredentials;
  readonly channelOptions: ChannelOptions & { interceptors?: unknown };
  readonly metadata: Map<string, string>;
}

/** Reads a credential file (first line, surrounding white space removed). */
function readSecretFile(file: string, baseDir: string, key: string): string {
  const path = resolve(baseDir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new MilvusdmError('MDM_CONFIG', `${key}: ${errorMessage(e)}`, { exitCode: 2 });
  }
  const value = text.split(/\r?\n/)[0]!.trim();
  if (!value) throw new MilvusdmError('MDM_CONFIG', `${key}: ${path} is empty`, { exitCode: 2 });
  return value;
}

/** The job's credentials with `token_file` / `password_file` read; a key and its file are exclusive. */
function credentials(options: ConnectionOptions, baseDir: string, where: string): { token?: string; password?: string } {
  if (options.token !== undefined && options.token_file !== undefined) {
    throw new MilvusdmError('MDM_CONFIG', `${where}.token_file: give token or token_file, not both`, { exitCode: 2 });
  }
  if (options.password !== undefined && options.password_file !== undefined) {
    throw new MilvusdmError('MDM_CONFIG', `${where}.password_file: give password or password_file, not both`, { exitCode: 2 });
  }
  const token = options.token_file !== undefined ? readSecretFile(options.token_file, baseDir, `${where}.token_file`) : options.token;
  const password =
    options.password_file !== undefined ? readSecretFile(options.password_file, baseDir, `${where}.password_file`) : options.password;
  return { ...(token ? { token } : {}), ...(password ? { password } : {}) };
}

/** The password Milvus ships with for `root` (its documentation's, and every quick start's). */
const DEFAULT_PASSWORD = 'Milvus';

export class MilvusConnection {
  /** A plain gRPC channel for the data path (see raw()). */
  private dataClient: Client | undefined;
  /** Reused buffers for insert requests: enough for the most requests a writer keeps in flight (16). */
  readonly requestBuffers = new RequestBuffers(16);

  private constructor(
    readonly client: MilvusClient,
    /** The address the channel connects to. */
    private readonly address: string,
    /** `host:port` (or the Milvus Lite folder) for messages. */
    readonly display: string,
    readonly database: string | undefined,
    /** Deadline of one call. */
    readonly timeoutMs: number,
    private readonly connectTimeoutMs: number,
    private readonly retry: RetryPolicy,
    private readonly lite: LiteServer | undefined,
    /** The job key this connection came from, e.g. `target.uri`, for messages. */
    readonly where: string,
    private signal: AbortSignal | undefined,
    private readonly logger: Logger,
  ) {
    this.slowCalls = new SlowCallWatch(logger, display);
  }

  /** Says which call a busy server keeps waiting (every 30 s), so a long wait does not look like a hang. */
  private readonly slowCalls: SlowCallWatch;

  /** Set by `allowCleanupCalls`: the run was interrupted, whatever the signal says now. */
  private interrupted = false;

  /**
   * After Ctrl-C every call is refused at once (the run's signal has aborted). What a writer must
   * still undo on its way out — an empty collection it created, a staging collection, its lock
   * — goes through this connection afterwards: calls are allowed again, all of them together
   * bounded by `deadlineMs`, so a server that does not answer cannot hold the exit.
   */
  allowCleanupCalls(deadlineMs = 10_000): void {
    if (!this.signal?.aborted) return;
    this.interrupted = true;
    this.signal = AbortSignal.timeout(deadlineMs);
  }

  static async open(options: ConnectionOptions, context: ChannelContext, where: string): Promise<MilvusConnection> {
    // Milvus's documented default password is no secret, and masking it alone would turn every
    // message naming the product into `cannot reach *** at …`, which also tells the reader what
    // it is. The token holding it (`root:Milvus`) is still masked, and so is any URI's password.
    const password = (value: string | undefined) => {
      if (value !== DEFAULT_PASSWORD) context.redact(value);
    };
    context.redact(options.token);
    password(options.password);
    const secrets = credentials(options, context.baseDir, where);
    context.redact(secrets.token);
    password(secrets.password);
    // A `user:password` token may be echoed back in parts: its password part is a secret too.
    const colon = secrets.token?.indexOf(':') ?? -1;
    if (secrets.token && colon >= 0) password(secrets.token.slice(colon + 1));
    const target = parseMilvusUri(options.uri, context.baseDir);
    const tls = typeof options.tls === 'object' ? options.tls : undefined;
    const readPem = (file: string | undefined, key: string) => {
      if (!file) return undefined;
      try {
        return readFileSync(resolve(context.baseDir, file));
      } catch (e) {
        throw new MilvusdmError('MDM_CONFIG', `${where}.tls.${key}: cannot read ${file}: ${errorMessage(e)}`, { exitCode: 2 });
      }
    };
    // Read every file before a server is started or a connection made.
    const pems = tls ? { ca: readPem(tls.ca, 'ca'), cert: readPem(tls.cert, 'cert'), key: readPem(tls.key, 'key') } : undefined;
    let lite: LiteServer | undefined;
    let address: string;
    let ssl = false;
    if (target.kind === 'lite') {
      lite = await startMilvusLite(target.dataDir, context.logger, `${where}.uri`, undefined, where === 'source' ? 'read' : 'write');
      address = lite.address;
    } else {
      address = target.address;
      ssl = target.ssl || (options.tls !== undefined && options.tls !== false);
    }
    const timeoutMs = (options.timeout ?? DEFAULT_TIMEOUT_S) * 1000;
    const connectTimeoutMs = (options.connect_timeout ?? DEFAULT_CONNECT_TIMEOUT_S) * 1000;
    const client = constructSharingProtoDefinitions(
      () =>
        new MilvusClient({
          address,
          ssl,
          ...(secrets.token ? { token: secrets.token } : {}),
          ...(options.user ? { username: options.user } : {}),
          ...(secrets.password ? { password: secrets.password } : {}),
          ...(options.database ? { database: options.database } : {}),
          ...(tls && pems
            ? {
                tls: {
                  ...(pems.ca ? { rootCert: pems.ca } : {}),
                  ...(pems.cert ? { certChain: pems.cert } : {}),
                  ...(pems.key ? { privateKey: pems.key } : {}),
                  ...(tls.server_name ? { serverName: tls.server_name } : {}),
                  ...(tls.skip_verify ? { skipCertCheck: true } : {}),
                },
              }
            : {}),
          // The first call (the SDK's Connect) must answer within the connect deadline.
          timeout: connectTimeoutMs,
          channelOptions: {
            // No keep-alive pings on an idle channel: Milvus Lite rejects them as excessive.
            'grpc.keepalive_permit_without_calls': 0,
            'grpc.keepalive_time_ms': 60_000,
          },
          // Retries are ours (with backoff, jitter and the knowledge of what is safe to repeat).
          maxRetries: 0,
          logLevel: 'error',
          telemetry: { enabled: false },
        }),
    );
    const display = lite ? `Milvus Lite ${lite.dataDir}` : address;
    const retry: RetryPolicy = { ...DEFAULT_RETRY, ...(options.retries !== undefined ? { retries: options.retries } : {}) };
    const connection = new MilvusConnection(
      client,
      address,
      display,
      options.database,
      timeoutMs,
      connectTimeoutMs,
      retry,
      lite,
      where,
      context.signal,
      context.logger,
    );
    try {
      await connection.check();
    } catch (e) {
      await connection.close();
      throw e;
    }
    // Later SDK calls get the per-call deadline.
    (client as unknown as { timeout: number }).timeout = timeoutMs;
    context.logger.info(
      `connected to ${display}${options.database ? ` database ${options.database}` : ''} (connect deadline ${connectTimeoutMs / 1000} s, call deadline ${timeoutMs / 1000} s, ${retry.retries} retries)`,
    );
    return connection;
  }

  /**
   * Fails with a clear message unless the server answers a simple call with success within
   * the connect deadline. A server that accepts TCP and never speaks would otherwise hold the
   * SDK's connect promise forever.
   */
  private async check(): Promise<void> {
    const deadline = this.connectTimeoutMs;
    const silent = () =>
      new MilvusdmError(
        'MDM_CONNECT',
        `no answer from ${this.display} (${this.where}.uri) within ${deadline / 1000} s: is it a Milvus server, and is it running?`,
        {
          hint: `The wait is ${this.where}.connect_timeout (seconds).`,
        },
      );
    const attempt = async () => {
      try {
        await this.client.connectPromise;
      } catch (e) {
        if (classifyFailure(e) === 'timeout') throw silent();
        throw this.transportError(e, 'connect', deadline);
      }
      try {
        await this.listCollections({ code: 'MDM_CONNECT', timeoutMs: deadline, retries: 0 });
      } catch (e) {
        if (e instanceof MilvusdmError && e.message.includes('empty answer')) {
          throw new MilvusdmError('MDM_CONNECT', `no valid answer from ${this.display} (${this.where}.uri): is it a Milvus server?`);
        }
        if (classifyFailure(e) === 'timeout') throw silent();
        throw e;
      }
    };
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        attempt(),
        new Promise<never>((_ok, fail) => {
          timer = setTimeout(() => fail(silent()), deadline + 1000);
        }),
        new Promise<never>((_ok, fail) => {
          if (!this.signal) return;
          onAbort = () => fail(abortError(this.signal!));
          if (this.signal.aborted) onAbort();
          else this.signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (onAbort) this.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Turns a gRPC failure, or a status object the SDK threw, into a one-line error naming the server. */
  transportError(e: unknown, what: string, timeoutMs = this.timeoutMs): MilvusdmError {
    if (e instanceof MilvusdmError) return e;
    if (isStatusObject(e)) {
      const refusal = new ServerRefusal('MDM_TARGET', what, e);
      if (/auth|credential|password|permission denied/i.test(statusReason(e)) && what === 'connect') {
        return new MilvusdmError(
          'MDM_CONNECT',
          `Milvus at ${this.display} (${this.where}.uri) refused the credentials: ${statusReason(e)}`,
          { cause: refusal },
        );
      }
      return refusal;
    }
    const code = (e as { code?: number }).code;
    const detail = errorMessage(e);
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
      message = `${what} on ${at}: no answer within ${timeoutMs / 1000} s (${this.where}.timeout)`;
    } else if (code === 12) {
      message = `${what}: ${at} does not implement this operation`;
    } else if (code === 1 && this.signal?.aborted) {
      return abortError(this.signal);
    }
    return new MilvusdmError(kind, message, { cause: e });
  }

  private logRetry(what: string) {
    return (failure: unknown, _kind: string, attempt: number, delayMs: number) =>
      this.logger.info(`${what}: ${errorMessage(failure)} — retry ${attempt}/${this.retry.retries} in ${(delayMs / 1000).toFixed(1)} s`);
  }

  /**
   * A raw SDK RPC by method name, with its status checked. Reads are `idempotent` (the
   * default) and repeated after any passing failure; commands only when the failure proves
   * the server did not act on them. `finishOnAbort`: after Ctrl-C, a call already sent is still
   * awaited (up to its deadline) instead of being dropped with the channel — for calls a server
   * is known to mishandle when their caller goes away (Milvus 2.3.5's GetImportState, see
   * docs/reliability.md).
   */
  async sdk<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown>,
    what: string,
    options: { code?: ErrorCode; idempotent?: boolean; timeoutMs?: number; retries?: number; finishOnAbort?: boolean } = {},
  ): Promise<T> {
    const code = options.code ?? 'MDM_TARGET';
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const once = async () => {
      let answer: unknown;
      const stopNotices = this.slowCalls.start(what, timeoutMs);
      try {
        const call = promisify(
          (this.client as unknown as { channelPool: Parameters<typeof promisify>[0] }).channelPool,
          method,
          params,
          timeoutMs,
        );
        answer = await (options.finishOnAbort ? call : this.abortable(call));
      } catch (e) {
        throw this.transportError(e, what, timeoutMs);
      } finally {
        stopNotices();
      }
      const status = (answer as { status?: { reason?: string } } | undefined)?.status;
      if (
        code === 'MDM_CONNECT' &&
        status &&
        !isSuccess(status) &&
        /auth|credential|password|permission|denied/i.test(status.reason ?? '')
      ) {
        throw new MilvusdmError('MDM_CONNECT', `Milvus at ${this.display} (${this.where}.uri) refused the credentials: ${status.reason}`);
      }
      return ensureOk(answer as T, what, code);
    };
    return withRetry(once, {
      idempotent: options.idempotent ?? isReadMethod(method),
      policy: options.retries !== undefined ? { ...this.retry, retries: options.retries } : this.retry,
      signal: this.signal,
      onRetry: this.logRetry(what),
    });
  }

  /**
   * The names of the collections in the connection's database. Milvus Lite answers a listing
   * that meets a collection being dropped or renamed by another client with "collection …
   * does not exist" (seen with two test files sharing one server): a list has no collection to
   * miss, so that answer is a race on the server and the listing is asked again.
   */
  async listCollections(options: { code?: ErrorCode; timeoutMs?: number; retries?: number } = {}): Promise<string[]> {
    const params = this.database ? { db_name: this.database } : {};
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await this.sdk<{ collection_names?: string[] }>('ShowCollections', params, 'list collections', options);
        return r.collection_names ?? [];
      } catch (e) {
        if (attempt >= LISTING_RACE_ATTEMPTS || !isListingRace(e)) throw e;
        this.logger.info(`list collections: ${errorMessage(e)} — a collection changed during the listing; asking again`);
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  /** An SDK method call (for the few the SDK builds requests for), with retries and one-line errors. */
  async call<T>(what: string, run: () => Promise<T>, options: { idempotent: boolean }): Promise<T> {
    return withRetry(
      async () => {
        const stopNotices = this.slowCalls.start(what, this.timeoutMs);
        try {
          return ensureOk(await this.abortable(run()), what);
        } catch (e) {
          throw this.transportError(e, what);
        } finally {
          stopNotices();
        }
      },
      { idempotent: options.idempotent, policy: this.retry, signal: this.signal, onRetry: this.logRetry(what) },
    );
  }

  /** Ends the wait for `p` at once on Ctrl-C (the call itself is dropped with the channel). */
  private abortable<T>(p: Promise<T>): Promise<T> {
    const signal = this.signal;
    if (!signal) return p;
    if (signal.aborted) return Promise.reject(abortError(signal));
    return new Promise<T>((ok, fail) => {
      const onAbort = () => fail(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          ok(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          fail(e);
        },
      );
    });
  }

  /**
   * Sends pre-encoded request bytes and returns the answer's bytes. This goes through a channel
   * of our own, with the SDK's credentials and metadata but not its interceptors: the SDK's
   * retry interceptor JSON-stringifies every request for a debug log, which for a 16 MB insert
   * costs more than the insert itself. Not retried here: the caller knows whether repeating
   * is safe (see rawWithRetry). Ctrl-C cancels the call.
   */
  async raw(method: string, request: Uint8Array, what: string): Promise<Buffer> {
    const sdk = this.client as unknown as SdkInternals;
    if (!this.dataClient) {
      const { interceptors: _ignored, ...options } = sdk.channelOptions;
      this.dataClient = new Client(this.address, sdk.creds, options);
    }
    if (this.signal?.aborted) throw abortError(this.signal);
    const metadata = new Metadata();
    for (const [key, value] of sdk.metadata) metadata.add(key, value);
    const argument = Buffer.from(request.buffer, request.byteOffset, request.byteLength);
    const stopNotices = this.slowCalls.start(what, this.timeoutMs);
    return new Promise<Buffer>((ok, fail) => {
      const signal = this.signal;
      const onAbort = () => call.cancel();
      const call = this.dataClient!.makeUnaryRequest(
        `${SERVICE}/${method}`,
        (b: Buffer) => b,
        (b: Buffer) => b,
        argument,
        metadata,
        { deadline: new Date(Date.now() + this.timeoutMs) },
        (error, value) => {
          stopNotices();
          signal?.removeEventListener('abort', onAbort);
          if (error) fail(this.transportError(error, what));
          else ok(value ?? Buffer.alloc(0));
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** raw() repeated after passing failures; `idempotent` says whether a lost answer may be repeated. */
  rawWithRetry(method: string, request: Uint8Array, what: string, idempotent: boolean): Promise<Buffer> {
    return withRetry(() => this.raw(method, request, what), {
      idempotent,
      policy: this.retry,
      signal: this.signal,
      onRetry: this.logRetry(what),
    });
  }

  /** The retry policy of this connection, for callers that retry whole operations. */
  get retryPolicy(): RetryPolicy {
    return this.retry;
  }

  /** Logs a retry of `what` (for callers that retry whole operations). */
  retryLogger(what: string) {
    return this.logRetry(what);
  }

  get abortSignal(): AbortSignal | undefined {
    return this.signal;
  }

  /**
   * Closes the channels. The SDK's close drains its channel pool, which waits for every call
   * still out — after Ctrl-C, a call whose answer nobody wants any more (this is what made an
   * interrupted M2H take 30 s to exit: a load-state poll on a busy server). So the wait is
   * bounded: 0.5 s after an abort, 3 s otherwise; the process exits without the stragglers.
   */
  async close(): Promise<void> {
    this.dataClient?.close();
    const started = Date.now();
    const graceMs = this.signal?.aborted || this.interrupted ? 500 : 3000;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      this.client.closeConnection().then(
        () => true,
        // Closing a channel that never opened is not an error worth reporting.
        () => true,
      ),
      new Promise<false>((ok) => {
        timer = setTimeout(() => ok(false), graceMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    this.logger.debug(
      drained
        ? `connection to ${this.display} closed in ${Date.now() - started} ms`
        : `connection to ${this.display}: calls still out after ${graceMs} ms; not waiting for them`,
    );
    await this.lite?.stop();
  }
}

/** Calls that only read: repeating one cannot change anything. */
function isReadMethod(method: string): boolean {
  return /^(Has|Describe|Show|Get|List|Query|Check|Connect)/.test(method) || method === 'Search';
}

/** How many times a listing that raced a drop or rename is asked (each wait 100 ms longer). */
const LISTING_RACE_ATTEMPTS = 8;

function isListingRace(e: unknown): boolean {
  return e instanceof MilvusdmError && /collection\b.*\b(does not exist|not found)/i.test(e.message);
}
