const chunkLimit = 512;

/**
 * A sorted set of strings (compared by code unit, callers lower-case them first) kept as a list of small sorted
 * chunks: insert and delete are a binary search plus a splice of at most `chunkLimit` entries, so a million keys
 * stay cheap to maintain while range scans walk them in order — the keyset-friendly storage F&O reads need.
 */
export class SortedKeyIndex {
  private chunks: string[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  insert(key: string): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.count = 1;
      return true;
    }
    const chunkIndex = this.chunkFor(key);
    const chunk = this.chunks[chunkIndex] as string[];
    const position = lowerBound(chunk, key);
    if (chunk[position] === key) return false;
    chunk.splice(position, 0, key);
    this.count += 1;
    if (chunk.length > chunkLimit * 2) {
      this.chunks.splice(chunkIndex, 1, chunk.slice(0, chunkLimit), chunk.slice(chunkLimit));
    }
    return true;
  }

  delete(key: string): boolean {
    if (this.chunks.length === 0) return false;
    const chunkIndex = this.chunkFor(key);
    const chunk = this.chunks[chunkIndex] as string[];
    const position = lowerBound(chunk, key);
    if (chunk[position] !== key) return false;
    chunk.splice(position, 1);
    this.count -= 1;
    if (chunk.length === 0) this.chunks.splice(chunkIndex, 1);
    return true;
  }

  /** Keys in ascending order from `from` (inclusive unless `exclusive`), or from the first key. */
  *ascending(from?: string, exclusive = false): Generator<string> {
    let chunkIndex = from === undefined ? 0 : this.chunkFor(from);
    let position = 0;
    if (from !== undefined) {
      const chunk = this.chunks[chunkIndex];
      if (chunk) {
        position = lowerBound(chunk, from);
        if (exclusive && chunk[position] === from) position += 1;
      }
    }
    for (; chunkIndex < this.chunks.length; chunkIndex += 1) {
      const chunk = this.chunks[chunkIndex] as string[];
      // A consumer may delete while iterating; copying a chunk is cheap and keeps the walk well-defined.
      const snapshot = chunk.slice(position);
      for (const key of snapshot) yield key;
      position = 0;
    }
  }

  clear(): void {
    this.chunks = [];
    this.count = 0;
  }

  /** The chunk whose range holds `key`: the last chunk whose first key is ≤ key (or the first chunk). */
  private chunkFor(key: string): number {
    let low = 0;
    let high = this.chunks.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      const first = (this.chunks[middle] as string[])[0] as string;
      if (first <= key) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}

function lowerBound(sorted: readonly string[], key: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] as string) < key) low = middle + 1;
    else high = middle;
  }
  return low;
}
