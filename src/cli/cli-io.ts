/** Where a command writes and what it reads from its surroundings; the process's own in `p2c`, buffers in tests. */
export interface CliStream {
  write(text: string): unknown;
  /** A terminal: progress is redrawn in place rather than printed line by line. */
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  env: NodeJS.ProcessEnv;
  /**
   * Registers a handler for Ctrl-C / SIGTERM while a command waits on something it does not own (a run in Temporal);
   * returns the function that removes it.
   */
  onInterrupt(handler: () => void): () => void;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onInterrupt(handler) {
      process.once('SIGINT', handler);
      process.once('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}

export function writeLine(stream: CliStream, text = ''): void {
  stream.write(`${text}\n`);
}
