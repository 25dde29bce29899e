/** The CLI's two output channels: messages for people (stderr) and JSON lines for scripts (stdout). */
export class Output {
  /** Called before a message is printed, to clear an in-place progress line. */
  beforeMessage: () => void = () => {};

  constructor(
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {}

  message(line: string): void {
    this.beforeMessage();
    this.stderr.write(`${line}\n`);
  }

  json(event: Record<string, unknown>): void {
    this.stdout.write(`${JSON.stringify(event, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
  }

  /** Plain results of a command (listings), on stdout. */
  print(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}
