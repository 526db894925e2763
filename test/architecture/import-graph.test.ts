/**
 * What each Lambda function's entry may reach through its runtime imports (type-only imports do not count; they are
 * not in a bundle). The static graph is a superset of what esbuild keeps, so a rule that holds here holds in every
 * bundle. The sizes and import times themselves are measured by the bench (docs/performance.md, "Lambda bundles"),
 * not asserted here.
 */
import { FUNCTION_NAMES, functionSpec, type FunctionName } from '../../lambdas/handlers/functions';
import { analyze, type SourceFileInfo } from './source-graph';
import { SOURCES, STATEFUL_SOURCES } from '../../lambdas/core/normalize/registry';
import { SOURCE_NAMES, STATEFUL_SOURCES as STATEFUL_SOURCE_NAMES } from '../../lambdas/core/normalize/source-names';

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

/** Everything the entry reaches when `avoid` is never entered. */
function reachAvoiding(entry: string, avoid: string): string[] {
  const seen = new Set([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    for (const imp of info(queue.shift()!).imports) {
      const key = imp.target ?? imp.specifier;
      if (imp.typeOnly || key === avoid || seen.has(key)) continue;
      seen.add(key);
      if (imp.target) queue.push(imp.target);
    }
  }
  return [...seen];
}

/** The chains by which `name` reaches anything `matches` accepts, as `a -> b -> c` lines. */
function offending(name: FunctionName, matches: (fileOrPackage: string) => boolean, eager = false): string[] {
  return [...reach(functionSpec(name).entry, eager)].filter(([key]) => matches(key)).map(([, chain]) => chain.join(' -> '));
}

/** The API functions' entries (and the file that puts them side by side for the local runtime). */
const API_ENTRIES = ['api.ts', 'api-reports.ts', 'api-admin.ts', 'api-groups.ts'].map((f) => `lambdas/handlers/${f}`);

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
    expect(offending(name, (k) => k.startsWith('lambdas/handlers/api/') || API_ENTRIES.includes(k) || k === 'lambdas/handlers/functions.ts')).toEqual([]);
  });

  /**
   * The functions that dispatch on the source registry (every normalizer, and behind the webhook source CEL); the
   * others import only the normalizer they use (SNS: CloudWatch) or none, and take source names and the stateful
   * sources from core/normalize/source-names.ts.
   */
  const REGISTRY_USERS: readonly FunctionName[] = ['ingestHttp', 'ingestEventBridge'];
  it.each(FUNCTION_NAMES.filter((n) => !REGISTRY_USERS.includes(n)))('%s does not reach the source registry (every normalizer)', (name) => {
    expect(offending(name, (k) => k === 'lambdas/core/normalize/registry.ts')).toEqual([]);
  });
  /** The functions that check CEL: the processor's rules, the webhook mapping of the registry, a new maintenance window. */
  const CEL_USERS: readonly FunctionName[] = [...REGISTRY_USERS, 'processAlerts', 'apiAdmin'];
  it.each(FUNCTION_NAMES.filter((n) => !CEL_USERS.includes(n)))('%s does not reach CEL', (name) => {
    expect(offending(name, (k) => k.startsWith('@marcbachmann/cel-js'))).toEqual([]);
  });

  /** The ingest functions: a config without webhooks never evaluates CEL there (only the webhook mapping needs it). */
  const INGEST: readonly FunctionName[] = ['ingestHttp', 'ingestSns', 'ingestEventBridge'];
  const isCel = (k: string) => k.startsWith('@marcbachmann/cel-js') || k === 'lambdas/core/rules/expressions.ts';
  it.each(INGEST)('%s evaluates CEL only on first use of a webhook mapping (no eager import reaches it)', (name) => {
    expect(offending(name, isCel, true)).toEqual([]);
  });

  /** `celOnlyForWebhooks` (CEL left out of the bundle for a config without webhooks) is right only if every path to CEL passes the webhook mapping. */
  it.each(FUNCTION_NAMES)('%s is flagged celOnlyForWebhooks exactly when CEL reaches it only through the webhook mapping', (name) => {
    const mapping = 'lambdas/core/normalize/webhook-mapping.ts';
    const viaMappingOnly = offending(name, isCel).length > 0 && reachAvoiding(functionSpec(name).entry, mapping).every((k) => !isCel(k));
    expect([name, functionSpec(name).celOnlyForWebhooks === true]).toEqual([name, viaMappingOnly]);
  });

  it('can fail: ingest over HTTP does reach CEL, through the deferred webhook mapping', () => {
    expect(offending('ingestHttp', isCel).length).toBeGreaterThan(0);
  });

  /** The admin API: CEL only for a new maintenance window (`when`), loaded then. */
  it('apiAdmin evaluates CEL only on first use of a route that needs it (no eager import reaches it)', () => {
    expect(offending('apiAdmin', isCel, true)).toEqual([]);
  });

  /**
   * The API is split by route group (api-routes.ts `fn`): each function reaches only the resource modules of its own
   * routes, so a cold start compiles only its group's code and AWS clients.
   */
  const API_RESOURCES_OF: Record<'api' | 'apiReports' | 'apiAdmin', readonly string[]> = {
    api: ['me', 'incidents', 'shared'],
    apiReports: ['insights', 'postmortems', 'raw-payloads', 'shared'],
    apiAdmin: ['oncall', 'maintenance', 'status', 'shared'],
  };
  it.each(Object.keys(API_RESOURCES_OF) as (keyof typeof API_RESOURCES_OF)[])('%s reaches only the API resources of its route group', (name) => {
    const own = API_RESOURCES_OF[name].map((m) => `lambdas/handlers/api/${m}.ts`);
    expect(offending(name, (k) => k.startsWith('lambdas/handlers/api/') && !own.includes(k))).toEqual([]);
  });

  /** The AWS adapters each API function may reach (each adapter folder is one AWS service). */
  const ADAPTERS_OF: Record<keyof typeof API_RESOURCES_OF, readonly string[]> = {
    // s3: the history snapshot of an incident the routes resolve (handlers/shared/insights.ts), compiled out of the
    // bundle when the config has no history (bundleDefines).
    api: ['dynamodb', 'sfn', 'lambda', 's3'],
    apiReports: ['dynamodb', 's3'],
    apiAdmin: ['dynamodb', 'lambda', 'secrets'],
  };
  it.each(Object.keys(ADAPTERS_OF) as (keyof typeof ADAPTERS_OF)[])('%s reaches only the AWS adapters of its route group', (name) => {
    // metrics: EMF log lines of every HTTP handler (no AWS call).
    const allowed = [...ADAPTERS_OF[name], 'metrics'].map((d) => `lambdas/adapters/${d}/`);
    expect(offending(name, (k) => k.startsWith('lambdas/adapters/') && !allowed.some((a) => k.startsWith(a)))).toEqual([]);
  });

  it('only the history snapshot brings S3 to the incident API function', () => {
    expect(offending('api', (k) => k.startsWith('lambdas/adapters/s3/'))).toEqual(['lambdas/handlers/api.ts -> lambdas/handlers/shared/escalation.ts -> lambdas/handlers/shared/insights.ts -> lambdas/adapters/s3/s3-documents.ts']);
  });

  it('can fail: the admin API function does reach its resources and CEL', () => {
    expect(offending('apiAdmin', (k) => k.startsWith('lambdas/handlers/api/')).length).toBeGreaterThan(0);
    expect(offending('apiAdmin', isCel).length).toBeGreaterThan(0);
  });

  it('the registry-free source names and stateful sources are the registry\'s', () => {
    expect([...SOURCE_NAMES]).toEqual([...SOURCES]);
    expect([...STATEFUL_SOURCE_NAMES].sort()).toEqual([...STATEFUL_SOURCES].sort());
  });
});
