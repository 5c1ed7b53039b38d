import type { AccountStore } from './account-store';
import type { ResourcePath } from './resource-path';

/** A request body as the executor sees it: absent, parsed JSON, or text that is not JSON (a 400 when needed). */
export type BodyInput = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'invalid'; detail: string };

/** One operation, from an HTTP request or a `$batch` part. */
export interface OperationInput {
  method: string;
  path: ResourcePath;
  search: URLSearchParams;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | undefined>>;
  body: BodyInput;
  /** `http://host:port` the client used: links in responses point there. */
  origin: string;
  /** The caller's client id (from the token). */
  user: string;
}

export interface ServiceContext {
  store: AccountStore;
  now: () => Date;
  deltaTokenTtlMs: number;
  /** The `account` table's Track changes setting: off, `Prefer: odata.track-changes` gets no delta link. */
  changeTrackingEnabled: boolean;
  /** Called once per committed create, update or delete. */
  onWrite: () => void;
}

export function bodyFromText(text: string | undefined): BodyInput {
  if (text === undefined || text.trim() === '') return { kind: 'none' };
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch (error) {
    return { kind: 'invalid', detail: error instanceof Error ? error.message : 'The body is not JSON.' };
  }
}
