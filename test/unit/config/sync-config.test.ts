import { describe, expect, it } from 'vitest';
import { fileProblems, parseSyncConfig, resolveClientSecrets } from '../../../src/config/sync-config';
import { ConfigurationError } from '../../../src/domain/errors';

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

  it("knows Microsoft's documented Dataverse budgets by default, pacing to them unless told not to; they can be changed, within reason", () => {
    expect(parseSyncConfig(valid).config.connections.dataverse.serviceProtection).toEqual({ windowSeconds: 300, maxRequests: 6000, maxExecutionSeconds: 1200, pace: true });
    const scaled = { ...valid, connections: { ...valid.connections, dataverse: { ...valid.connections.dataverse, serviceProtection: { windowSeconds: 12, maxExecutionSeconds: 48, pace: false } } } };
    expect(parseSyncConfig(scaled).config.connections.dataverse.serviceProtection).toEqual({ windowSeconds: 12, maxRequests: 6000, maxExecutionSeconds: 48, pace: false });
    const wrong = { ...valid, connections: { ...valid.connections, dataverse: { ...valid.connections.dataverse, serviceProtection: { windowSeconds: 0, maxRequests: 1.5, burst: true } } } };
    const text = problemsOf(wrong).join('\n');
    expect(text).toContain('connections.dataverse.serviceProtection.windowSeconds');
    expect(text).toContain('connections.dataverse.serviceProtection.maxRequests');
    expect(text).toMatch(/burst/);
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

  it('refuses http:// service URLs unless the configuration says it targets a local emulator', () => {
    const plain = {
      ...valid,
      connections: {
        dataverse: { ...valid.connections.dataverse, url: 'http://contoso.crm.dynamics.com' },
        fno: { ...valid.connections.fno, url: 'http://contoso.operations.dynamics.com' },
      },
    };
    const refusal = 'is http://, which would send the bearer token and the account data in clear: use https://, or set connections.allowInsecureHttp: true for a local emulator';
    expect(problemsOf(plain)).toEqual([`connections.dataverse.url: ${refusal}`, `connections.fno.url: ${refusal}`]);
    expect(parseSyncConfig(valid).config.connections.allowInsecureHttp).toBe(false);
    const local = parseSyncConfig({ ...plain, connections: { ...plain.connections, allowInsecureHttp: true } });
    expect(local.config.connections.dataverse.url).toBe('http://contoso.crm.dynamics.com');
    expect(problemsOf({ ...valid, connections: { ...valid.connections, allowInsecureHttp: 'yes' } })).toEqual([
      'connections.allowInsecureHttp: Invalid input: expected boolean, received string',
    ]);
  });

  it('checks that the CA file exists and holds a PEM certificate', () => {
    const { config } = parseSyncConfig({ ...valid, connections: { ...valid.connections, caFile: '/etc/p2c/ca.pem' } });
    const files: Record<string, string> = { '/etc/p2c/ca.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' };
    const read = (path: string) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
      return text;
    };
    expect(fileProblems(config, read)).toEqual([]);
    delete files['/etc/p2c/ca.pem'];
    expect(fileProblems(config, read)).toEqual(['connections.caFile: cannot read /etc/p2c/ca.pem: no such file (ENOENT)']);
    files['/etc/p2c/ca.pem'] = 'not a certificate';
    expect(fileProblems(config, read)).toEqual(['connections.caFile: /etc/p2c/ca.pem holds no PEM certificate (-----BEGIN CERTIFICATE-----)']);
    expect(fileProblems(parseSyncConfig(valid).config, read)).toEqual([]);
  });
});
