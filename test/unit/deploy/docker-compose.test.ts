import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { parseSyncConfig } from '../../../src/config/sync-config';
import { loadObservabilityEnvironment } from '../../../src/observability/observability-environment';
import { SyncMetrics } from '../../../src/observability/sync-metrics';
import { customSearchAttributes } from '../../../src/temporal/search-attributes';

// No Docker engine runs on these machines, so the stack is checked as data: services, images, ports and the
// environment that wires them together.
const composeSchema = z.object({
  services: z.record(
    z.string(),
    z.object({
      image: z.string().optional(),
      build: z.unknown().optional(),
      command: z.array(z.string()).optional(),
      environment: z.record(z.string(), z.string()).optional(),
      ports: z.array(z.string()).optional(),
      depends_on: z.union([z.array(z.string()), z.record(z.string(), z.object({ condition: z.string() }))]).optional(),
      volumes: z.array(z.string()).optional(),
      expose: z.array(z.string()).optional(),
      restart: z.enum(['no', 'always', 'on-failure', 'unless-stopped']).optional(),
    }),
  ),
});

const root = path.join(__dirname, '../../..');
const compose = composeSchema.parse(parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')));
const services = compose.services;
const service = (name: string) => {
  const found = services[name];
  if (!found) throw new Error(`service ${name} missing`);
  return found;
};

/** The default of `${P2C_PUBLISH_ADDRESS:-127.0.0.1}`: published ports answer on this machine only. */
const PUBLISH_ADDRESS = '${P2C_PUBLISH_ADDRESS:-127.0.0.1}';

/** A service's published ports as `host address`, `host port`, `container port`. */
function published(s: { ports?: string[] }): { address: string; hostPort: string; containerPort: string }[] {
  return (s.ports ?? []).map((entry) => {
    const match = /^(?:(.+):)?(\d+):(\d+)$/.exec(entry);
    if (!match) throw new Error(`unexpected port entry ${entry}`);
    return { address: match[1] ?? '', hostPort: match[2] ?? '', containerPort: match[3] ?? '' };
  });
}

describe('docker-compose.yml', () => {
  it('has the production-like services', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'worker', 'emulators', 'codec-server', 'prometheus', 'grafana', 'jaeger']),
    );
  });

  it('pins every image to a version', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.image) expect(s.image, name).toMatch(/:[\w.-]+$/);
      if (s.image) expect(s.image, name).not.toMatch(/:latest$/);
      expect(Boolean(s.image) || Boolean(s.build), `${name} has an image or a build`).toBe(true);
    }
  });

  it('runs Temporal on PostgreSQL and exposes the frontend', () => {
    const temporal = service('temporal');
    expect(temporal.environment?.DB).toMatch(/^postgres/);
    expect(temporal.environment?.POSTGRES_SEEDS).toBe('postgresql');
    expect(published(temporal)).toContainEqual({ address: PUBLISH_ADDRESS, hostPort: '7233', containerPort: '7233' });
  });

  it('publishes every port on 127.0.0.1 unless P2C_PUBLISH_ADDRESS says otherwise (Temporal, its UI and Grafana have no authentication)', () => {
    const ports = Object.entries(services).flatMap(([name, s]) => published(s).map((port) => ({ name, ...port })));
    expect(ports.length).toBeGreaterThanOrEqual(8);
    for (const port of ports) expect(port.address, `${port.name} ${port.hostPort}`).toBe(PUBLISH_ADDRESS);
  });

  it('requires the codec token: whoever reaches the codec server could otherwise decrypt history', () => {
    const codec = service('codec-server');
    expect(codec.environment?.P2C_CODEC_TOKEN).toMatch(/^\$\{P2C_CODEC_TOKEN:\?[^}]+\}$/);
    expect(codec.command).not.toContain('--token-file');
  });

  it('points the UI and the worker at the Temporal service', () => {
    expect(service('temporal-ui').environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    const worker = service('worker');
    expect(worker.build).toBeDefined();
    expect(worker.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(worker.environment?.P2C_TASK_QUEUE).toBe('accounts-sync');
  });

  it('restarts the worker when it exits on its own (e.g. Temporal still unreachable after its start-up retries)', () => {
    expect(service('worker').restart).toBe('unless-stopped');
  });

  it('publishes every port the emulators listen on', () => {
    const emulators = service('emulators');
    const command = emulators.command ?? [];
    const listened = command.flatMap((arg, i) => (arg.endsWith('-port') ? [command[i + 1]] : []));
    expect(listened.length).toBeGreaterThan(0);
    for (const port of listened) expect(published(emulators)).toContainEqual({ address: PUBLISH_ADDRESS, hostPort: port, containerPort: port });
  });

  it('encrypts history with keys the stack takes from the environment, never from the file', () => {
    for (const name of ['worker', 'codec-server']) {
      expect(service(name).environment?.P2C_PAYLOAD_KEYS, name).toMatch(/^\$\{P2C_PAYLOAD_KEYS:\?[^}]+\}$/);
      expect(service(name).environment?.P2C_ALLOW_PLAINTEXT_PAYLOADS, name).toBeUndefined();
    }
  });

  it("points the UI at the codec server through a URL the operator's browser reaches, and lets the UI's origin call it", () => {
    const codec = service('codec-server');
    const command = codec.command ?? [];
    const flag = (name: string) => command.flatMap((arg, i) => (arg === name ? [command[i + 1]] : []));
    expect(command[0]).toBe('codec-server');
    expect(flag('--host')).toEqual(['0.0.0.0']);
    const [port] = flag('--port');
    expect(published(codec)).toContainEqual({ address: PUBLISH_ADDRESS, hostPort: port, containerPort: port });
    expect(service('temporal-ui').environment?.TEMPORAL_CODEC_ENDPOINT).toBe(`http://localhost:${port}`);
    const uiPort = published(service('temporal-ui'))[0]?.hostPort;
    expect(flag('--cors-origin')).toContain(`http://localhost:${uiPort}`);
  });

  it('has Prometheus scrape the port the worker serves /metrics on, on every replica (DNS service discovery)', () => {
    const worker = service('worker');
    const port = worker.environment?.P2C_METRICS_PORT;
    expect(port).toMatch(/^\d+$/);
    expect(worker.environment?.P2C_METRICS_HOST).toBe('0.0.0.0');
    expect(worker.expose).toContain(port);
    const prometheus = service('prometheus');
    const config = z
      .object({
        scrape_configs: z.array(
          z.object({
            job_name: z.string(),
            metrics_path: z.string().default('/metrics'),
            dns_sd_configs: z.array(z.object({ names: z.array(z.string()), type: z.string(), port: z.number() })).default([]),
          }),
        ),
      })
      .parse(parse(readFileSync(mountedFile(prometheus, '/etc/prometheus/prometheus.yml'), 'utf8')));
    const job = config.scrape_configs.find((c) => c.dns_sd_configs.some((d) => d.names.includes('worker') && d.type === 'A' && String(d.port) === port));
    expect(job?.metrics_path).toBe('/metrics');
  });

  it('runs N workers with `--scale worker=N` and P2C_WORKER_COUNT=N: no fixed name or host port to collide on', () => {
    const raw = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Record<string, unknown>> };
    const worker = raw.services.worker ?? {};
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(service('worker').environment?.P2C_WORKER_COUNT).toBe('${P2C_WORKER_COUNT:-1}');
    expect(worker.deploy).toEqual({ replicas: '${P2C_WORKER_COUNT:-1}' });
  });

  it('loads the alert rules into Prometheus, mounted next to its configuration', () => {
    const prometheus = service('prometheus');
    const configFile = mountedFile(prometheus, '/etc/prometheus/prometheus.yml');
    const config = z.object({ rule_files: z.array(z.string()) }).parse(parse(readFileSync(configFile, 'utf8')));
    expect(config.rule_files).toEqual(['alerts.yml']);
    // Relative rule files are read from the configuration's directory, in the container as in the repository.
    expect(mountedFile(prometheus, '/etc/prometheus/alerts.yml')).toBe(path.join(path.dirname(configFile), 'alerts.yml'));
    // The rules' job matcher is the scrape job's name.
    const jobs = z.object({ scrape_configs: z.array(z.object({ job_name: z.string() })) }).parse(parse(readFileSync(configFile, 'utf8')));
    expect(readFileSync(path.join(path.dirname(configFile), 'alerts.yml'), 'utf8')).toContain(`job="${jobs.scrape_configs[0]?.job_name}"`);
  });

  it("sends the worker's traces to Jaeger over OTLP/HTTP inside the network, and shows Jaeger's UI on the operator's machine only", () => {
    const jaeger = service('jaeger');
    const worker = service('worker');
    expect(jaeger.image).toMatch(/^jaegertracing\/all-in-one:\d+\.\d+\.\d+$/);
    expect(jaeger.environment?.COLLECTOR_OTLP_ENABLED).toBe('true');
    const endpoint = new URL(worker.environment?.OTEL_EXPORTER_OTLP_ENDPOINT ?? '');
    expect(endpoint.protocol).toBe('http:');
    expect(endpoint.hostname).toBe('jaeger');
    // 4318 is Jaeger's OTLP/HTTP receiver (4317 is gRPC, which the worker's exporter does not speak).
    expect(endpoint.port).toBe('4318');
    expect(jaeger.expose).toContain(endpoint.port);
    expect(published(jaeger)).toEqual([{ address: PUBLISH_ADDRESS, hostPort: '16686', containerPort: '16686' }]);
    expect(worker.depends_on).toHaveProperty('jaeger');
    // The worker accepts its own environment as the compose file sets it.
    expect(loadObservabilityEnvironment(worker.environment).OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://jaeger:4318');
  });

  it('provisions Grafana with the Prometheus data source and the sync dashboard', () => {
    const grafana = service('grafana');
    const provisioning = mountedFile(grafana, '/etc/grafana/provisioning');
    const datasources = z
      .object({ datasources: z.array(z.object({ uid: z.string(), type: z.string(), url: z.string() })) })
      .parse(parse(readFileSync(path.join(provisioning, 'datasources', 'prometheus.yml'), 'utf8')));
    const prometheusPort = published(service('prometheus'))[0]?.containerPort;
    const source = datasources.datasources.find((d) => d.type === 'prometheus');
    expect(source?.url).toBe(`http://prometheus:${prometheusPort}`);

    const providers = z
      .object({ providers: z.array(z.object({ type: z.literal('file'), options: z.object({ path: z.string() }) })) })
      .parse(parse(readFileSync(path.join(provisioning, 'dashboards', 'p2c.yml'), 'utf8')));
    const dashboards = mountedFile(grafana, providers.providers[0]?.options.path ?? '');
    const dashboard = z
      .object({
        uid: z.string(),
        panels: z.array(z.object({ title: z.string(), datasource: z.object({ uid: z.string() }), targets: z.array(z.object({ expr: z.string().min(1) })) })),
      })
      .parse(JSON.parse(readFileSync(path.join(dashboards, 'p2c-sync.json'), 'utf8')));
    expect(grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${providers.providers[0]?.options.path}/p2c-sync.json`);
    for (const panel of dashboard.panels) expect(panel.datasource.uid, panel.title).toBe(source?.uid);

    // Every sync metric the dashboard queries is one the worker exports (histograms by their series names).
    const metrics = new SyncMetrics();
    const exported = new Set(
      metrics.registry.getMetricsAsArray().flatMap((m) => (String(m.type) === 'histogram' ? ['_bucket', '_count', '_sum'].map((s) => `${m.name}${s}`) : [m.name])),
    );
    metrics.close();
    const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((t) => t.expr));
    const queried = new Set(exprs.flatMap((expr) => expr.match(/\bp2c_[a-z_]+/g) ?? []));
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
    // Throughput and outcomes, 429s, API latency and errors are all on it.
    for (const wanted of ['p2c_records_total', 'p2c_api_throttled_total', 'p2c_api_request_duration_seconds_bucket', 'p2c_api_request_duration_seconds_count', 'p2c_activity_failures_total']) {
      expect(queried, wanted).toContain(wanted);
    }
    expect(exprs.some((expr) => /outcome="failed"/.test(expr))).toBe(true);
  });
});

describe('the worker of the compose stack', () => {
  const worker = service('worker');
  const emulators = service('emulators');
  const flag = (name: string) => {
    const command = emulators.command ?? [];
    return command[command.indexOf(name) + 1];
  };

  it('runs with a sync configuration the image contains, valid and pointed at the emulators service', () => {
    const configPath = worker.environment?.P2C_CONFIG ?? '';
    expect(configPath.startsWith('/app/')).toBe(true);
    const inRepository = path.join(root, configPath.slice('/app/'.length));
    expect(existsSync(inRepository)).toBe(true);
    expect(readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toContain(`COPY ${path.dirname(configPath.slice('/app/'.length))}`);
    const { config } = parseSyncConfig(parse(readFileSync(inRepository, 'utf8')));
    expect(config.connections.dataverse.url).toBe(`http://emulators:${flag('--dataverse-port')}`);
    expect(config.connections.fno.url).toBe(`http://emulators:${flag('--fno-port')}`);
    for (const connection of [config.connections.dataverse, config.connections.fno]) {
      expect(connection.authority).toBe(`https://emulators:${flag('--entra-port')}`);
      expect(connection.tenantId).toBe(flag('--tenant-id'));
    }
    // The emulated authority's certificate must name the host the worker uses.
    expect(emulators.command).toEqual(expect.arrayContaining(['--cert-name', 'emulators']));
  });

  it('reads the client secret and the CA from the volume the emulators write their state to', () => {
    const stateDir = flag('--state-dir') ?? '';
    const emulatorVolume = (emulators.volumes ?? []).find((v) => v.split(':')[1] === stateDir)?.split(':')[0];
    const workerMount = (worker.volumes ?? []).find((v) => v.split(':')[0] === emulatorVolume)?.split(':')[1];
    expect(emulatorVolume).toBeTruthy();
    expect(workerMount).toBeTruthy();
    const configPath = worker.environment?.P2C_CONFIG ?? '';
    const { config } = parseSyncConfig(parse(readFileSync(path.join(root, configPath.slice('/app/'.length)), 'utf8')));
    expect(config.connections.caFile).toBe(`${workerMount}/entra-ca.pem`);
    expect(config.connections.dataverse.clientSecretFile).toBe(`${workerMount}/client-secret`);
    expect(config.connections.fno.clientSecretFile).toBe(`${workerMount}/client-secret`);
  });

  it('registers every search attribute the workflow sets on itself before a worker starts', () => {
    const setup = service('temporal-search-attributes');
    const script = (setup.command ?? []).join(' ');
    for (const [name, type] of Object.entries(customSearchAttributes)) {
      expect(script).toContain(`--name ${name} --type ${type}`);
    }
    expect(script.match(/search-attribute create/g)).toHaveLength(Object.keys(customSearchAttributes).length);
    expect(service('worker').depends_on).toMatchObject({ 'temporal-search-attributes': { condition: 'service_completed_successfully' } });
  });
});

/** The host path a service mounts at `target`, which must exist in the repository. */
function mountedFile(s: { volumes?: string[] }, target: string): string {
  const mount = (s.volumes ?? []).map((v) => v.split(':')).find(([, inside]) => inside === target);
  const host = mount?.[0];
  if (!host?.startsWith('./')) throw new Error(`nothing from the repository is mounted at ${target}`);
  const file = path.join(root, host);
  if (!existsSync(file)) throw new Error(`${host} (mounted at ${target}) does not exist`);
  return file;
}
