import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';

/**
 * Writes a file only its owner may read (0600): exports of failed records quote account values. An existing file
 * is truncated and its mode narrowed too, since `open`'s mode applies only to a file it creates.
 */
export function writePrivateFile(file: string, text: string): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
