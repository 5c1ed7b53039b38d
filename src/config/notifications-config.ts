import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigurationError } from '../domain/errors';

// The end-of-run notification (`notifications.webhook` in the sync configuration). Teams and Slack webhook URLs are
// secrets (whoever has one can post to the channel): give them through `urlEnv` or `urlFile`; `url` is for an
// endpoint without a token, e.g. an internal relay.

export const RUN_STATUSES = ['completed', 'cancelled', 'failed'] as const;

const httpUrl = z.string().refine(
  (value) => {
    try {
      return ['https:', 'http:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  },
  { error: 'must be an absolute http or https URL' },
);

export const webhookConfigSchema = z
  .strictObject({
    url: httpUrl.optional(),
    /** Environment variable holding the URL. */
    urlEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name' })
      .optional(),
    /** File holding the URL (a mounted secret). */
    urlFile: z.string().min(1).optional(),
    /**
     * `text`: `{ "text": … }` plus the run's fields (Slack incoming webhooks, Teams' Microsoft 365 connectors, any
     * JSON receiver); `adaptive-card`: the same with the text as an Adaptive Card, which Teams Workflows ("When a
     * Teams webhook request is received") require.
     */
    format: z.enum(['text', 'adaptive-card']).default('text'),
    /** Which endings are announced; every one by default. */
    on: z.array(z.enum(RUN_STATUSES)).min(1).default([...RUN_STATUSES]),
    /** The Temporal Web UI as the readers reach it (e.g. http://localhost:8233): the message links to the run. */
    uiUrl: httpUrl.transform((value) => value.replace(/\/+$/, '')).optional(),
    /** One attempt's limit; the activity retries a few times (README, "End-of-run notification"). */
    timeoutSeconds: z.number().int().min(1).max(60).default(10),
  })
  .refine((webhook) => [webhook.url, webhook.urlEnv, webhook.urlFile].filter((v) => v !== undefined).length === 1, {
    error: 'give exactly one of url, urlEnv or urlFile',
  });

export const notificationsConfigSchema = z.strictObject({
  webhook: webhookConfigSchema.optional(),
});

export type WebhookConfig = z.output<typeof webhookConfigSchema>;

/** A webhook ready to call: its URL resolved from the configuration, the environment or a file. */
export interface ResolvedWebhook extends Omit<WebhookConfig, 'url' | 'urlEnv' | 'urlFile'> {
  url: string;
}

/** Resolves the webhook URL at worker start, so a missing variable or file stops the worker with a clear message. */
export function resolveWebhook(
  webhook: WebhookConfig | undefined,
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): ResolvedWebhook | undefined {
  if (!webhook) return undefined;
  const { url: inline, urlEnv, urlFile, ...rest } = webhook;
  let url = inline;
  if (urlEnv !== undefined) {
    url = env[urlEnv];
    if (!url) throw new ConfigurationError('Missing webhook URL', [`notifications.webhook.urlEnv: ${urlEnv} is not set in the worker's environment`]);
  }
  if (urlFile !== undefined) {
    try {
      url = readFile(urlFile).trim();
    } catch (error) {
      throw new ConfigurationError('Missing webhook URL', [`notifications.webhook.urlFile: cannot read ${urlFile}: ${(error as Error).message}`]);
    }
  }
  // The URL itself is never repeated in a message: it may carry the token.
  const checked = httpUrl.safeParse(url);
  if (!checked.success) {
    throw new ConfigurationError('Invalid webhook URL', [`notifications.webhook: the URL from ${urlEnv ?? urlFile ?? 'url'} is not an absolute http or https URL`]);
  }
  return { ...rest, url: checked.data };
}
