/**
 * A text body as the UTF-8 bytes fastify would send for it, when sending the bytes leaves every header as it is:
 * fastify measures a text for `Content-Length` and node copies it behind the header block before encoding it, a
 * cost per byte that a `$batch` answer or a page of 5000 accounts pays in full. Fastify adds a charset to a JSON
 * Content-Type without one, and picks a Content-Type when there is none, for text only — those stay text.
 */
export function replyBytes(text: string, headers: Readonly<Record<string, string | undefined>>): string | Buffer {
  const contentType = headers['Content-Type'] ?? headers['content-type'];
  if (contentType === undefined) return text;
  if (/;\s*charset=/i.test(contentType) || !contentType.toLowerCase().includes('json')) return Buffer.from(text);
  return text;
}
