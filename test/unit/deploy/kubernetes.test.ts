import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { parseSyncConfig } from '../../../src/config/sync-config';
import { workerShare } from '../../../src/config/worker-share';
import { loadWorkerEnvironment } from '../../../src/config/worker-environment';

// Checked against the Kubernetes OpenAPI schemas that the `kubernetes-models` package ships compiled (types, required
// fields, enums, formats). kubeconform would also refuse unknown keys (-strict), but it fetches its schemas from the
// network at run time, which these machines cannot reach; the checks below cover the keys that matter here.
const manifestFile = path.join(__dirname, '../../../deploy/kubernetes/worker.yaml');
const documents = parseAllDocuments(readFileSync(manifestFile, 'utf8')).map((document) => document.toJS() as Record<string, unknown>);
const ofKind = <T>(kind: string) => documents.find((document) => document.kind === kind) as T;

interface DeploymentDoc {
  spec: {
    replicas: number;
    strategy: { rollingUpdate: { maxSurge: number } };
    template: {
      spec: {
        terminationGracePeriodSeconds: number;
        containers: { args: string[]; env: { name: string; value?: string }[]; resources: { limits: { memory: string } } }[];
      };
    };
  };
}

describe('deploy/kubernetes/worker.yaml', () => {
  it('is a ConfigMap and a Deployment valid against the Kubernetes schemas', () => {
    expect(documents.map((document) => document.kind)).toEqual(['ConfigMap', 'Deployment']);
    expect(() => new ConfigMap(ofKind('ConfigMap')).validate()).not.toThrow();
    expect(() => new Deployment(ofKind('Deployment')).validate()).not.toThrow();
  });

  it('the validator refuses a broken copy (a count as text, a port as text)', () => {
    const broken = structuredClone(ofKind<{ spec: Record<string, unknown> }>('Deployment'));
    broken.spec.replicas = 'three';
    expect(() => new Deployment(broken as unknown as ConstructorParameters<typeof Deployment>[0]).validate()).toThrow('data/spec/replicas must be integer');
  });

  it('declares as many workers as it runs replicas, and never surges past them on a rolling update', () => {
    const deployment = ofKind<DeploymentDoc>('Deployment');
    const [container] = deployment.spec.template.spec.containers;
    const env = new Map(container?.env.map((variable) => [variable.name, variable.value]));
    expect(env.get('P2C_WORKER_COUNT')).toBe(String(deployment.spec.replicas));
    expect(deployment.spec.replicas).toBeGreaterThan(1);
    expect(deployment.spec.strategy.rollingUpdate.maxSurge).toBe(0);
    // The worker's environment as the worker reads it: known variables with valid values.
    const settings = loadWorkerEnvironment(Object.fromEntries([...env].filter((entry): entry is [string, string] => entry[1] !== undefined)));
    expect(settings.P2C_WORKER_COUNT).toBe(3);
    expect(container?.args).toEqual(['worker']);
    // Heap plus the rest of the process (native SDK core, buffers) fits the memory limit.
    expect(Number(env.get('P2C_WORKER_MAX_HEAP_MB')) + 128).toBeLessThanOrEqual(Number.parseInt(container?.resources.limits.memory ?? '0', 10));
    // Longer than the worker's shutdownGraceTime (20 s), so running activities finish before the pod is killed.
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(20);
  });

  it('ships a sync configuration whose limits the declared workers can share', () => {
    const data = ofKind<{ data: Record<string, string> }>('ConfigMap').data;
    const { config } = parseSyncConfig(parse(data['sync.yaml'] ?? ''), 'ConfigMap sync.yaml');
    expect(workerShare(config.limits, 3)).toEqual({ workers: 3, dataverseConcurrency: 16, fnoConcurrency: 4 });
  });
});
