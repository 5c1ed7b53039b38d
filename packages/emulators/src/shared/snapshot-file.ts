import { closeSync, existsSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface Snapshot {
  /** Small service state: sequences, settings. */
  meta: unknown;
  /** The rows, one JSON line each (a JSON array of a million rows would not fit in one string). */
  rows: Iterable<unknown>;
}

export interface SnapshotFileOptions {
  file: string;
  /** Writes happen this long after the first change of a burst (default 500 ms). */
  debounceMs?: number;
  /** Produces the state to write; called synchronously, so the snapshot is consistent. */
  capture: () => Snapshot;
}

const flushBytes = 1 << 20;

/**
 * Keeps an emulator's state in a directory across restarts. Format: JSON Lines, first line `meta`, then one line
 * per row; written to a temporary file and renamed over the old one, so a crash leaves either the old or the new
 * snapshot, never half of one. Changes mark the state dirty and a write follows after `debounceMs`; `close()`
 * writes what is pending. Writing is synchronous (the event loop pauses for it, ~10 ms per 10,000 rows): the
 * emulators are single-threaded stand-ins and a consistent snapshot matters more than that pause.
 */
export class SnapshotFile {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private readonly debounceMs: number;

  constructor(private readonly options: SnapshotFileOptions) {
    this.debounceMs = options.debounceMs ?? 500;
  }

  static read(file: string): { meta: unknown; rows: unknown[] } | undefined {
    if (!existsSync(file)) return undefined;
    const lines = readFileSync(file, 'utf8').split('\n');
    const [first, ...rest] = lines;
    if (first === undefined || first === '') return undefined;
    const rows: unknown[] = [];
    for (const line of rest) if (line) rows.push(JSON.parse(line));
    return { meta: JSON.parse(first), rows };
  }

  markDirty(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.debounceMs);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty) return;
    this.dirty = false;
    writeSnapshot(this.options.file, this.options.capture());
  }

  close(): void {
    this.flush();
  }
}

/**
 * Snapshots hold the emulated tenant's accounts and customers (personal data, even when generated): readable by
 * their owner only, 0600, in a directory created 0700. The mode is set on the open file too, since a temporary
 * file left by a crashed writer keeps the mode it was created with.
 */
export function writeSnapshot(file: string, snapshot: Snapshot): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    let chunk = `${JSON.stringify(snapshot.meta)}\n`;
    for (const row of snapshot.rows) {
      chunk += `${JSON.stringify(row)}\n`;
      if (chunk.length >= flushBytes) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    if (chunk) writeSync(fd, chunk);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}
