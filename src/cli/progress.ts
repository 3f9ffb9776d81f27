import type { CliIo } from './cli-io.ts';

/**
 * A counter for long operations: on a terminal it rewrites one line in place
 * ("resent 120 of 340"); into a pipe or file it writes a line every tenth of the
 * way, so a log stays short but still shows the operation moving.
 */
export class Progress {
  private done = 0;
  private lastShown = -1;

  constructor(
    private readonly io: CliIo,
    private readonly verb: string,
    private readonly total: number,
  ) {}

  tick(): void {
    this.done += 1;
    if (this.io.interactive) {
      this.io.err.write(`\r${this.text()}`);
      return;
    }
    const step = Math.max(1, Math.ceil(this.total / 10));
    if (this.done % step === 0 && this.done !== this.total) this.show();
  }

  /** Writes the final count on its own line. */
  finish(): void {
    if (this.io.interactive) this.io.err.write('\r\x1b[K');
    if (this.lastShown !== this.done) this.show();
  }

  private show(): void {
    this.lastShown = this.done;
    this.io.err.write(`${this.text()}\n`);
  }

  private text(): string {
    return `${this.verb} ${this.done} of ${this.total}`;
  }
}
