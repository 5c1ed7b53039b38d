import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { describe, expect, inject, it } from 'vitest';
import { escapeAboveLatin1, leanWorkflowBundle } from '../../../src/temporal/workflow-bundle';

// The workflow bundle is held by the workflow thread for the worker's whole life (BENCHMARKS.md section 3): it is
// built without the sources' text in its source map and without any character above U+00FF, so V8 keeps it as a
// one-byte string. These pin that the rewriting changes nothing the code computes, and that the bundle the tests
// (and `p2c bundle-workflows`) build is lean.

function widest(text: string): number {
  let max = 0;
  for (let i = 0; i < text.length; i += 1) max = Math.max(max, text.charCodeAt(i));
  return max;
}

describe('escapeAboveLatin1', () => {
  // Every place a wide character can stand in code: string, template, regular expression (with and without the u
  // flag), identifier, comment; a character outside the BMP (two UTF-16 units) in a string and in a u-regex.
  const program = [
    'const émigré = "naïve — ✖ →";',
    'const π = 3; // a comment with — and ✖',
    'const template = `${émigré} … ${π}`;',
    'const dash = /a—b/.test("a—b") && /[–—]/u.test("–");',
    'const emoji = "x😀y";',
    'const astral = /^😀$/u.test("😀");',
    '[émigré, template, dash, emoji, emoji.length, astral, π].join("|")',
  ].join('\n');

  it('writes every code unit above U+00FF as an escape and leaves Latin-1 as it is', () => {
    const escaped = escapeAboveLatin1(program);
    expect(widest(program)).toBeGreaterThan(0xff);
    expect(widest(escaped)).toBeLessThanOrEqual(0xff);
    expect(escaped).toContain('émigré');
    expect(escaped).toContain('"naïve \\u2014 \\u2716 \\u2192"');
    expect(escaped).toContain('"x\\ud83d\\ude00y"');
  });

  it('computes the same values as the original code', () => {
    const original: unknown = vm.runInNewContext(program);
    expect(original).toBe('naïve — ✖ →|naïve — ✖ → … 3|true|x😀y|4|true|3');
    expect(vm.runInNewContext(escapeAboveLatin1(program))).toBe(original);
  });

  it('leaves code without wide characters untouched', () => {
    const ascii = 'const a = "plain"; // comment\n';
    expect(escapeAboveLatin1(ascii)).toBe(ascii);
  });
});

describe('leanWorkflowBundle', () => {
  it("keeps the SDK's configuration, asks for an inline map without sources and adds the escaping plugin", () => {
    const existing = { apply: () => undefined };
    const config = leanWorkflowBundle({ mode: 'development', devtool: 'inline-source-map', plugins: [existing], entry: ['x.js'] });
    expect(config.mode).toBe('development');
    expect(config.entry).toEqual(['x.js']);
    expect(config.devtool).toBe('inline-nosources-source-map');
    expect(config.plugins).toHaveLength(2);
    expect(config.plugins?.[0]).toBe(existing);
  });
});

function readBundle(file: string) {
  const bundle = readFileSync(file, 'utf8');
  const marker = '//# sourceMappingURL=data:application/json;charset=utf-8;base64,';
  const at = bundle.lastIndexOf(marker);
  const map = JSON.parse(Buffer.from(bundle.slice(at + marker.length).trim(), 'base64').toString('utf8')) as {
    sources: string[];
    sourcesContent?: unknown;
    mappings: string;
  };
  return { bundle, at, map };
}

const OPEN_TELEMETRY_INTERCEPTORS = '@temporalio/interceptors-opentelemetry/';

describe('the two bundles: with the OpenTelemetry workflow interceptors (p2c bundle-workflows) and without (p2c worker, tracing off)', () => {
  const withTracing = readBundle(inject('workflowBundlePath')).map.sources;
  const withoutTracing = readBundle(inject('workflowBundleWithoutTracingPath')).map.sources;

  it('the pre-built bundle has them, the one without tracing has not; both have the workflows and the run log', () => {
    expect(withTracing.some((source) => source.includes(OPEN_TELEMETRY_INTERCEPTORS))).toBe(true);
    expect(withoutTracing.some((source) => source.includes(OPEN_TELEMETRY_INTERCEPTORS))).toBe(false);
    for (const sources of [withTracing, withoutTracing]) {
      expect(sources.some((source) => source.endsWith('src/workflows/sync-accounts.ts'))).toBe(true);
      expect(sources.some((source) => source.endsWith('src/observability/workflow-interceptors.ts'))).toBe(true);
    }
  });
});

describe('the workflow bundle built by bundleWorkflows (the one the tests run with tracing on)', () => {
  const { bundle, at, map } = readBundle(inject('workflowBundlePath'));

  it('has no character above U+00FF', () => {
    expect(widest(bundle)).toBeLessThanOrEqual(0xff);
  });

  it('carries an inline source map of the workflow sources without their text', () => {
    expect(at).toBeGreaterThan(0);
    expect(map.sources.some((source) => source.endsWith('src/workflows/sync-accounts.ts'))).toBe(true);
    expect(map.mappings.length).toBeGreaterThan(0);
    expect(map.sourcesContent).toBeUndefined();
  });
});
