/**
 * What each Lambda function's entry may reach through its runtime imports (type-only imports do not count; they are
 * not in a bundle). The static graph is a superset of what esbuild keeps, so a rule that holds here holds in every
 * bundle. The sizes and import times themselves are measured by the bench (docs/performance.md, "Lambda bundles"),
 * not asserted here.
 */
import { FUNCTION_NAMES, functionSpec, type FunctionName } from '../../lambdas/handlers/functions';
import { analyze, type SourceFileInfo } from './source-graph';

const cache = new Map<string, SourceFileInfo>();
const info = (path: string): SourceFileInfo => {
  let i = cache.get(path);
  if (!i) cache.set(path, (i = analyze(path)));
  return i;
};

/**
 * Every file and package the entry reaches, each with the import chain that reaches it first. `eager`: only the
 * imports evaluated when the entry is imported (not an `import()`/`require()` inside a function, which esbuild
 * bundles but evaluates on the first call).
 */
function reach(entry: string, eager = false): Map<string, string[]> {
  const chains = new Map<string, string[]>([[entry, [entry]]]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const imp of info(file).imports) {
      if (imp.typeOnly || (eager && imp.deferred)) continue;
      const key = imp.target ?? imp.specifier;
      if (chains.has(key)) continue;
      chains.set(key, [...chains.get(file)!, key]);
      if (imp.target) queue.push(imp.target);
    }
  }
  return chains;
}

/** The chains by which `name` reaches anything `matches` accepts, as `a -> b -> c` lines. */
function offending(name: FunctionName, matches: (fileOrPackage: string) => boolean, eager = false): string[] {
  return [...reach(functionSpec(name).entry, eager)].filter(([key]) => matches(key)).map(([, chain]) => chain.join(' -> '));
}

/** The functions an alert passes through on its way to a page. */
const PAGING_PATH: readonly FunctionName[] = ['ingestHttp', 'ingestSns', 'ingestEventBridge', 'processAlerts', 'escalationStep'];

describe('the import graph of the Lambda functions', () => {
  it.each(FUNCTION_NAMES)('%s does not bundle the X-Ray SDK (Lambda active tracing only)', (name) => {
    expect(offending(name, (k) => k.startsWith('@aws-lambda-powertools/tracer') || k.startsWith('aws-xray-sdk-core'))).toEqual([]);
  });

  it.each(FUNCTION_NAMES)('%s does not parse the config with the schema at a cold start (the CDK app validated it)', (name) => {
    expect(offending(name, (k) => k === 'lambdas/core/config/parse-pipeline-config.ts' || k === 'lambdas/core/config/pipeline-config.schema.ts')).toEqual([]);
  });

  it.each(PAGING_PATH)('%s reaches neither the API resources nor the function table', (name) => {
    expect(offending(name, (k) => k.startsWith('lambdas/handlers/api/') || k === 'lambdas/handlers/api.ts' || k === 'lambdas/handlers/functions.ts')).toEqual([]);
  });

  /** The functions that normalize alerts or check rules, and so carry the normalizers and CEL. */
  const NORMALIZING: readonly FunctionName[] = ['ingestHttp', 'ingestSns', 'ingestEventBridge', 'processAlerts', 'api'];
  it.each(FUNCTION_NAMES.filter((n) => !NORMALIZING.includes(n)))('%s reaches neither the source registry nor CEL', (name) => {
    expect(offending(name, (k) => k === 'lambdas/core/normalize/registry.ts' || k.startsWith('@marcbachmann/cel-js'))).toEqual([]);
  });

  /** The ingest functions: a config without webhooks never evaluates CEL there (only the webhook mapping needs it). */
  const INGEST: readonly FunctionName[] = ['ingestHttp', 'ingestSns', 'ingestEventBridge'];
  const isCel = (k: string) => k.startsWith('@marcbachmann/cel-js') || k === 'lambdas/core/rules/expressions.ts';
  it.each(INGEST)('%s evaluates CEL only on first use of a webhook mapping (no eager import reaches it)', (name) => {
    expect(offending(name, isCel, true)).toEqual([]);
  });

  it('can fail: ingest over HTTP does reach CEL, through the deferred webhook mapping', () => {
    expect(offending('ingestHttp', isCel).length).toBeGreaterThan(0);
  });

  /** The API: CEL only for a new maintenance window (`when`) and the webhooks of a simulation, loaded then. */
  it('api evaluates CEL only on first use of a route that needs it (no eager import reaches it)', () => {
    expect(offending('api', isCel, true)).toEqual([]);
  });

  it('can fail: the API function does reach its resources', () => {
    expect(offending('api', (k) => k.startsWith('lambdas/handlers/api/')).length).toBeGreaterThan(0);
  });
});
