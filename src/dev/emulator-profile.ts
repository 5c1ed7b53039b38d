// The sync configuration that points at the embedded emulators (demo, tests, benchmarks). The emulators stand in
// for a tenant only through these URLs, the authority and the credentials — the connectors are unchanged.

export interface EmulatorEndpoints {
  dataverseUrl: string;
  fnoUrl: string;
  authority: string;
  tenantId: string;
  clientId: string;
  caFile?: string;
}

export function emulatorSyncConfig(endpoints: EmulatorEndpoints, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const service = (url: string) => ({
    url,
    authority: endpoints.authority,
    tenantId: endpoints.tenantId,
    clientId: endpoints.clientId,
  });
  return {
    version: 'emulators',
    connections: {
      dataverse: service(endpoints.dataverseUrl),
      fno: service(endpoints.fnoUrl),
      ...(endpoints.caFile ? { caFile: endpoints.caFile } : {}),
      // The emulators' data services listen on plain http on this machine (only the emulated authority has TLS).
      allowInsecureHttp: true,
    },
    // The Data Integrator's organization mapping of the demo data: each company takes its business unit's accounts.
    companies: [
      { dataAreaId: 'usmf', businessUnits: ['USMF'] },
      { dataAreaId: 'demf', businessUnits: ['DEMF'] },
    ],
    mapping: {
      valueMaps: {
        PaymentTerms: { source: 'paymenttermscode', values: { '1': 'Net30', '3': 'Net45', '4': 'Net60' }, otherwise: 'omit' },
        DeliveryTerms: { source: 'address1_freighttermscode', values: { '1': 'FOB' }, otherwise: 'omit' },
        DeliveryMode: { source: 'address1_shippingmethodcode', values: { '4': 'UPS' }, otherwise: 'omit' },
      },
    },
    ...overrides,
  };
}
