import { request } from 'undici';

/** Why a webhook call did not succeed; never carries the URL (it may hold the token). */
export class WebhookError extends Error {
  override readonly name = 'WebhookError';
  constructor(
    message: string,
    /** Worth another attempt: no answer, a timeout, 408, 429 or a 5xx. */
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * Posts one JSON document to a webhook. Any 2xx is success; the answer's body is read and dropped (Slack answers
 * "ok", Teams "1" or nothing). Errors name the status or the network failure, never the URL.
 */
export async function postWebhook(url: string, body: unknown, timeoutMs: number): Promise<{ status: number }> {
  let status: number;
  try {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    status = response.statusCode;
    await response.body.dump({ limit: 64 * 1024 });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : typeof code === 'string' ? code : 'network failure';
    throw new WebhookError(`the webhook could not be reached: ${reason}`, true);
  }
  if (status >= 200 && status < 300) return { status };
  const retryable = status === 408 || status === 429 || status >= 500;
  throw new WebhookError(`the webhook answered HTTP ${status}`, retryable, status);
}
