import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

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
    }),
  ),
});

const compose = composeSchema.parse(parse(readFileSync(path.join(__dirname, '../../../docker-compose.yml'), 'utf8')));
const services = compose.services;
const service = (name: string) => {
  const found = services[name];
  if (!found) throw new Error(`service ${name} missing`);
  return found;
};

describe('docker-compose.yml', () => {
  it('has the production-like services', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'worker', 'emulators']));
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
    expect(temporal.ports).toContain('7233:7233');
  });

  it('points the UI and the worker at the Temporal service', () => {
    expect(service('temporal-ui').environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    const worker = service('worker');
    expect(worker.build).toBeDefined();
    expect(worker.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(worker.environment?.P2C_TASK_QUEUE).toBe('accounts-sync');
  });

  it('publishes every port the emulators listen on', () => {
    const emulators = service('emulators');
    const command = emulators.command ?? [];
    const listened = command.flatMap((arg, i) => (arg.endsWith('-port') ? [command[i + 1]] : []));
    expect(listened.length).toBeGreaterThan(0);
    for (const port of listened) expect(emulators.ports).toContain(`${port}:${port}`);
  });
});
