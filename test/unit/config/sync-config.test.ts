import { describe, expect, it } from 'vitest';
import { parseSyncConfig, resolveClientSecrets } from '../../../src/config/sync-config';
import { ConfigurationError } from '../../../src/config/worker-environment';

const valid = {
  version: '2026-11',
  connections: {
    dataverse: { url: 'https://contoso.crm.dynamics.com/', tenantId: 'contoso.onmicrosoft.com', clientId: 'app-1' },
    fno: { url: 'https://contoso.operations.dynamics.com', tenantId: 'contoso.onmicrosoft.com', clientId: 'app-1' },
  },
  companies: [{ dataAreaId: 'usmf', businessUnits: ['USMF'] }, { dataAreaId: 'demf', filter: "address1_country eq 'Germany'" }],
};

function problemsOf(raw: unknown): string[] {
  try {
    parseSyncConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

describe('sync configuration', () => {
  it('accepts a valid file, applies defaults and normalises URLs', () => {
    const { config, configVersion } = parseSyncConfig(valid);
    expect(config.connections.dataverse.url).toBe('https://contoso.crm.dynamics.com');
    expect(config.connections.fno.authority).toBe('https://login.microsoftonline.com');
    expect(config.mapping.defaults).toMatchObject({ CustomerGroupId: '10', SiteId: '1', WarehouseId: '13', LanguageId: 'en-us' });
    expect(config.limits.fnoWriteBatchSize).toBeGreaterThan(0);
    expect(configVersion).toMatch(/^2026-11\+[0-9a-f]{12}$/);
  });

  it('changes the version hash when the content changes', () => {
    const a = parseSyncConfig(valid).configVersion;
    const b = parseSyncConfig({ ...valid, companies: [{ dataAreaId: 'usmf' }] }).configVersion;
    expect(a).not.toBe(b);
  });

  it('lists every problem with its path', () => {
    const problems = problemsOf({
      connections: {
        dataverse: { url: 'not a url', tenantId: '', clientId: 'x', authority: 'http://login.example' },
        fno: { url: 'https://fno', tenantId: 't', clientId: 'x', secret: 'inline' },
      },
      companies: [{ dataAreaId: 'USMF' }, { dataAreaId: 'demf', businessUnits: ['DEMF'], filter: 'x' }, { dataAreaId: 'demf' }],
      mapping: { defaults: { CustomerGroupId: 'TOO-LONG-GROUP-ID' } },
      limits: { fnoConcurrency: 0 },
    });
    const text = problems.join('\n');
    expect(text).toContain('connections.dataverse.url');
    expect(text).toContain('connections.dataverse.tenantId');
    expect(text).toContain('connections.dataverse.authority');
    expect(text).toContain('connections.fno');
    expect(text).toMatch(/secret/);
    expect(text).toContain('companies[0].dataAreaId');
    expect(text).toContain('either businessUnits or filter');
    expect(text).toContain("company 'demf' is configured twice");
    expect(text).toContain('mapping.defaults.CustomerGroupId');
    expect(text).toContain('limits.fnoConcurrency');
  });

  it('resolves client secrets from the environment or files, and names what is missing', () => {
    const { config } = parseSyncConfig(valid);
    expect(
      resolveClientSecrets(config, { P2C_DATAVERSE_CLIENT_SECRET: 'dv', P2C_FNO_CLIENT_SECRET_FILE: '/run/secrets/fno' }, (path) =>
        path === '/run/secrets/fno' ? 'fo\n' : '',
      ),
    ).toEqual({ dataverse: 'dv', fno: 'fo' });
    try {
      resolveClientSecrets(config, {});
      throw new Error('expected missing secrets to be refused');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).problems).toEqual([
        expect.stringContaining('P2C_DATAVERSE_CLIENT_SECRET'),
        expect.stringContaining('P2C_FNO_CLIENT_SECRET'),
      ]);
    }
  });
});
