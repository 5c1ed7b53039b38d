import { z } from 'zod';

/**
 * The opaque `$skiptoken` of `@odata.nextLink` and the `$deltatoken` of `@odata.deltaLink`. Skip tokens are keyset
 * cursors (the last row's sort key values and id), never offsets, so rows inserted or deleted between pages
 * neither shift nor repeat the rest. Both are validated with zod when they come back: a client that edits one
 * gets a 400, not a wrong page.
 */

const keyValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const skipTokenSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('rows'),
    /** The ordering the cursor belongs to (`col dir,…`). */
    order: z.string(),
    /** The last row's values of the ordering's columns, in order. */
    key: z.array(keyValue),
    /** `$top` left to serve (absent: unlimited). */
    remaining: z.number().int().positive().optional(),
    /** Change tracking: the version the closing delta link will start from. */
    trackedVersion: z.number().int().min(0).optional(),
  }),
  z.strictObject({
    kind: z.literal('delta'),
    /** Changes after this version … */
    from: z.number().int().min(0),
    /** … up to this one (fixed at the first page, so paging ends) … */
    to: z.number().int().min(0),
    /** … and after this one (the last change already returned). */
    cursor: z.number().int().min(0),
  }),
]);

export type SkipToken = z.infer<typeof skipTokenSchema>;

export function encodeSkipToken(token: SkipToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

export function decodeSkipToken(text: string): SkipToken | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const parsed = skipTokenSchema.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `<version>!<MM/dd/yyyy HH:mm:ss>` like the service's own tokens: the version changes are read after, and when
 * the token was issued (UTC), for expiry.
 */
export function encodeDeltaToken(version: number, issuedAt: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  const date = `${pad(issuedAt.getUTCMonth() + 1)}/${pad(issuedAt.getUTCDate())}/${issuedAt.getUTCFullYear()}`;
  const time = `${pad(issuedAt.getUTCHours())}:${pad(issuedAt.getUTCMinutes())}:${pad(issuedAt.getUTCSeconds())}`;
  return `${version}!${date} ${time}`;
}

export function decodeDeltaToken(text: string): { version: number; issuedAtMs: number } | undefined {
  const match = /^(\d{1,15})!(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (match === null) return undefined;
  const [, version, month, day, year, hours, minutes, seconds] = match.map(Number) as number[];
  const issuedAtMs = Date.UTC(year as number, (month as number) - 1, day, hours, minutes, seconds);
  if (!Number.isFinite(issuedAtMs) || new Date(issuedAtMs).getUTCDate() !== day) return undefined;
  return { version: version as number, issuedAtMs };
}
