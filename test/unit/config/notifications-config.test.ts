import { describe, expect, it } from 'vitest';
import { resolveWebhook, webhookConfigSchema } from '../../../src/config/notifications-config';
import { ConfigurationError } from '../../../src/domain/errors';

const secretUrl = 'https://example.webhook.office.com/webhookb2/abc@def/IncomingWebhook/SECRET-TOKEN/xyz';

describe('notifications.webhook', () => {
  it('takes the URL from the configuration, an environment variable or a file, with defaults for the rest', () => {
    expect(resolveWebhook(webhookConfigSchema.parse({ url: 'http://relay.internal/p2c' }))).toEqual({
      url: 'http://relay.internal/p2c',
      format: 'text',
      on: ['completed', 'cancelled', 'failed'],
      timeoutSeconds: 10,
    });
    expect(resolveWebhook(webhookConfigSchema.parse({ urlEnv: 'P2C_TEAMS_WEBHOOK', on: ['failed'] }), { P2C_TEAMS_WEBHOOK: secretUrl })).toMatchObject({ url: secretUrl, on: ['failed'] });
    expect(resolveWebhook(webhookConfigSchema.parse({ urlFile: '/run/secrets/webhook', uiUrl: 'https://temporal.example.com/' }), {}, () => `${secretUrl}\n`)).toMatchObject({
      url: secretUrl,
      uiUrl: 'https://temporal.example.com',
    });
    expect(resolveWebhook(undefined)).toBeUndefined();
  });

  it('refuses none or several sources, and an unknown key', () => {
    expect(webhookConfigSchema.safeParse({}).error?.issues[0]?.message).toBe('give exactly one of url, urlEnv or urlFile');
    expect(webhookConfigSchema.safeParse({ url: 'https://a.example/x', urlEnv: 'X' }).error?.issues[0]?.message).toBe('give exactly one of url, urlEnv or urlFile');
    expect(webhookConfigSchema.safeParse({ url: 'https://a.example/x', uri: 'y' }).success).toBe(false);
    expect(webhookConfigSchema.safeParse({ url: 'ftp://a.example/x' }).error?.issues[0]?.message).toBe('must be an absolute http or https URL');
  });

  it('stops the worker on a missing variable or an invalid URL, naming the variable and never the URL', () => {
    const missing = (() => {
      try {
        resolveWebhook(webhookConfigSchema.parse({ urlEnv: 'P2C_TEAMS_WEBHOOK' }), {});
      } catch (error) {
        return error;
      }
    })() as ConfigurationError;
    expect(missing).toBeInstanceOf(ConfigurationError);
    expect(missing.problems).toEqual(["notifications.webhook.urlEnv: P2C_TEAMS_WEBHOOK is not set in the worker's environment"]);
    const invalid = (() => {
      try {
        resolveWebhook(webhookConfigSchema.parse({ urlEnv: 'P2C_TEAMS_WEBHOOK' }), { P2C_TEAMS_WEBHOOK: 'SECRET-TOKEN-only' });
      } catch (error) {
        return error;
      }
    })() as ConfigurationError;
    expect(invalid.problems).toEqual(['notifications.webhook: the URL from P2C_TEAMS_WEBHOOK is not an absolute http or https URL']);
    expect(JSON.stringify({ message: invalid.message, problems: invalid.problems })).not.toContain('SECRET-TOKEN');
  });
});
