/**
 * The logging surface plugins see. The CLI backs it with console and rotating log files; tests
 * and library users may pass anything with these four methods.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const MASK = '***';

/**
 * Remembers every secret a run handles (tokens, passwords) and masks them in any text bound
 * for a log or the console: in our own messages, in server errors and in echoed URIs.
 */
export class SecretRedactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined | null): void {
    // Very short values would mask innocent text ("1", "a"); they are still masked in URIs.
    if (secret && secret.length >= 3) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^@\s/]*)@/gi, `$1$2:${MASK}@`);
    for (const secret of this.secrets) out = out.split(secret).join(MASK);
    return out;
  }

  /** A logger that masks every message before passing it on. */
  wrap(logger: Logger): Logger {
    return {
      debug: (m) => logger.debug(this.redact(m)),
      info: (m) => logger.info(this.redact(m)),
      warn: (m) => logger.warn(this.redact(m)),
      error: (m) => logger.error(this.redact(m)),
    };
  }
}
