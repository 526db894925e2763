/**
 * Payload fixtures under test/fixtures/events/<source>/:
 * - `<case>.json`: a body as the source sends it; `<case>.expected.json`: the NormalizedAlert[] it must become
 *   with FIXTURE_CTX;
 * - `invalid/<case>.json`: a bad body; `invalid/<case>.error.txt`: the path of the field the error must name
 *   (`(body)` for the body itself).
 * CloudWatch case names start with the route that delivers them (`sns-https-`, `sns-lambda-`, `sns-sqs-`,
 * `eventbridge-`, `alarm-lambda-`), which decides the entry point.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidPayloadError } from '../../lambdas/core/errors';
import * as z from 'zod/mini';
import type { NormalizedAlert } from '../../lambdas/core/model/alert';
import { sourceDescriptor, type SourceName } from '../../lambdas/core/normalize/registry';
import { normalizeAlertmanager } from '../../lambdas/core/normalize/alertmanager';
import { CLOUDWATCH_ROUTES, normalizeCloudWatchRoute, type CloudWatchRoute } from '../../lambdas/core/normalize/cloudwatch';
import { normalizeEventsV2 } from '../../lambdas/core/normalize/events-v2';
import { DEFAULT_NORMALIZE_OPTIONS, type NormalizeContext } from '../../lambdas/core/normalize/shared';
import { normalizeThreatStack } from '../../lambdas/core/normalize/threatstack';
import type { GenericWebhookConfig } from '../../lambdas/core/normalize/webhook';
import { normalizeGenericWebhook } from '../../lambdas/core/normalize/webhook-mapping';
import { parsePipelineConfigText } from '../../lambdas/core/config/parse-pipeline-config-text';

export const REPO_ROOT = join(__dirname, '..', '..');
export const FIXTURES_ROOT = join(REPO_ROOT, 'test', 'fixtures', 'events');

/** The context every expected output was produced with. */
export const FIXTURE_CTX: NormalizeContext = Object.freeze({
  receivedAt: '2024-06-10T14:05:00.000Z',
  requestId: 'req-0001',
  options: DEFAULT_NORMALIZE_OPTIONS,
});

/** How an InvalidPayloadError names the body itself (`(body)`), whichever convention errors.ts uses. */
export const BODY_PATH = new InvalidPayloadError([{ path: '', message: '' }]).issues[0]?.path ?? '';

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/** Case names of the valid fixtures of a source, sorted. */
export function listFixtures(source: SourceName): string[] {
  return readdirSync(join(FIXTURES_ROOT, source))
    .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** The body of a valid fixture. */
export function loadFixture(source: SourceName, name: string): unknown {
  return readJson(join(FIXTURES_ROOT, source, `${name}.json`));
}

/** The expected NormalizedAlert[] of a valid fixture. */
export function loadExpected(source: SourceName, name: string): NormalizedAlert[] {
  return readJson(join(FIXTURES_ROOT, source, `${name}.expected.json`)) as NormalizedAlert[];
}

export interface InvalidFixture {
  name: string;
  body: unknown;
  /** The path the InvalidPayloadError must name; BODY_PATH for the body itself. */
  errorPath: string;
}

/** The invalid fixtures of a source with the field path each must be rejected on, sorted by name. */
export function listInvalidFixtures(source: SourceName): InvalidFixture[] {
  const dir = join(FIXTURES_ROOT, source, 'invalid');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.json'.length);
      const errorText = readFileSync(join(dir, `${name}.error.txt`), 'utf8').trim();
      return { name, body: readJson(join(dir, f)), errorPath: errorText === '(body)' ? BODY_PATH : errorText };
    });
}

/** The CloudWatch route a fixture case name starts with. */
export function cloudWatchRouteOf(name: string): CloudWatchRoute {
  const route = CLOUDWATCH_ROUTES.find((r) => name.startsWith(`${r}-`));
  if (!route) throw new Error(`fixture ${name} does not start with a CloudWatch route (${CLOUDWATCH_ROUTES.join(', ')})`);
  return route;
}

/** Runs the source's normalizer on a fixture body, as the ingest side would. */
export function normalizeFixture(source: SourceName, name: string, body: unknown, ctx: NormalizeContext = FIXTURE_CTX): NormalizedAlert[] {
  switch (source) {
    case 'threatstack':
      return normalizeThreatStack(body, ctx);
    case 'cloudwatch':
      return normalizeCloudWatchRoute(cloudWatchRouteOf(name), body, ctx);
    case 'events-v2':
      return [normalizeEventsV2(body, ctx).alert];
    case 'alertmanager':
      return normalizeAlertmanager(body, ctx);
    case 'webhook':
      return normalizeGenericWebhook(webhookFixtureConfig(name), body, ctx);
    default: {
      // Any other source: its descriptor, with the default options, by the route the case name implies.
      const d = sourceDescriptor(source);
      return d.prepare(d.options ? z.parse(d.options.schema, undefined) : undefined).normalize(d.fixtureVia?.(name), body, ctx);
    }
  }
}

/** Webhook fixtures are named `<webhook>-<case>`; the mapping comes from test/fixtures/config/rules/good/webhooks.yaml. */
export function webhookFixtureConfig(caseName: string): GenericWebhookConfig {
  const config = parsePipelineConfigText(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'config', 'rules', 'good', 'webhooks.yaml'), 'utf8'));
  const w = config.sources.webhooks.find((h) => caseName.startsWith(`${h.name}-`));
  if (!w) throw new Error(`fixture ${caseName} does not start with a webhook name`);
  return w;
}

/** Runs `run`, which must throw an InvalidPayloadError, and returns it. */
export function errorOf(run: () => unknown): InvalidPayloadError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPayloadError);
    return error as InvalidPayloadError;
  }
  throw new Error('expected an InvalidPayloadError, but the body was accepted');
}
