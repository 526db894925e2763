import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parsePipelineConfigText } from '../../../lambdas/core/config/parse-pipeline-config-text';
import { ConfigError } from '../../../lambdas/core/errors';
import { WEBHOOK_IDENTITY_FIELDS, type GenericWebhookConfig } from '../../../lambdas/core/normalize/webhook';
import { compileWebhook, normalizeGenericWebhook } from '../../../lambdas/core/normalize/webhook-mapping';
import { FIXTURE_CTX, REPO_ROOT, listFixtures, listInvalidFixtures, loadExpected, loadFixture, errorOf } from '../../support/fixtures';
import { FUZZ_RUNS, anyInput, expectNormalizedOrInvalid, mutatedFrom } from '../../support/normalize-fuzz';

/**
 * Webhook fixtures: test/fixtures/events/webhook/<webhook>-<case>.json, normalized with the webhook of that name in
 * test/fixtures/config/rules/good/webhooks.yaml (the same layout as the other sources; the prefix picks the mapping).
 */
const CONFIG = parsePipelineConfigText(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'config', 'rules', 'good', 'webhooks.yaml'), 'utf8'));
const WEBHOOKS = CONFIG.sources.webhooks;

function webhookOf(caseName: string): GenericWebhookConfig {
  const w = WEBHOOKS.find((h) => caseName.startsWith(`${h.name}-`));
  if (!w) throw new Error(`fixture ${caseName} does not start with a webhook name (${WEBHOOKS.map((h) => h.name).join(', ')})`);
  return w;
}

const VALID = listFixtures('webhook');
const INVALID = listInvalidFixtures('webhook');


// Regenerate expected outputs after a deliberate change: UPDATE_WEBHOOK_FIXTURES=1 npx jest test/core/normalize/webhook.test.ts
if (process.env.UPDATE_WEBHOOK_FIXTURES === '1') {
  for (const name of VALID) {
    const out = normalizeGenericWebhook(webhookOf(name), loadFixture('webhook', name), FIXTURE_CTX);
    writeFileSync(join(REPO_ROOT, 'test', 'fixtures', 'events', 'webhook', `${name}.expected.json`), `${JSON.stringify(out, null, 2)}\n`);
  }
}

describe('normalizeGenericWebhook', () => {
  it('has a fixture for every documented variant', () => {
    expect(VALID).toEqual(expect.arrayContaining(['grafana-firing-and-resolved', 'uptime-down', 'uptime-up-without-time', 'passthrough-acknowledge', 'minimal-message']));
  });

  it.each(VALID)('normalizes fixture %s to its expected output', (name) => {
    expect(normalizeGenericWebhook(webhookOf(name), loadFixture('webhook', name), FIXTURE_CTX)).toEqual(loadExpected('webhook', name));
  });

  it.each(INVALID.map((f) => [f.name, f.errorPath, f] as const))('rejects invalid fixture %s naming %s', (name, path, fixture) => {
    const error = errorOf(() => normalizeGenericWebhook(webhookOf(name), fixture.body, FIXTURE_CTX));
    expect(error.issues[0]?.path).toBe(path);
  });

  it.each([
    ['one alert per element of `alerts`, in order', 'grafana-firing-and-resolved', (a: ReturnType<typeof normalizeGenericWebhook>) => {
      expect(a.map((x) => [x.action, x.severity])).toEqual([['trigger', 'sev1'], ['resolve', 'sev3']]);
    }],
    ['the webhook\'s name in fingerprint, delivery key and labels', 'uptime-down', (a: ReturnType<typeof normalizeGenericWebhook>) => {
      expect(a[0]).toMatchObject({ source: 'webhook', fingerprintKey: 'wh:uptime:4711', labels: { webhook: 'uptime' } });
      expect(a[0]?.identity.map(([k]) => k)).toEqual([...WEBHOOK_IDENTITY_FIELDS]);
    }],
    ['the request id and index as delivery key when none is mapped', 'uptime-up-without-time', (a: ReturnType<typeof normalizeGenericWebhook>) => {
      expect(a[0]?.deliveryKey).toBe(`wh:uptime:${FIXTURE_CTX.requestId}:0`);
      expect(a[0]?.occurredAt).toBe(FIXTURE_CTX.receivedAt);
    }],
    ['the default severity when no severity is mapped', 'minimal-message', (a: ReturnType<typeof normalizeGenericWebhook>) => {
      expect(a[0]).toMatchObject({ severity: 'sev2', action: 'trigger', alertUrl: null, resource: null, description: '' });
    }],
  ])('maps %s', (_what, name, check) => {
    check(normalizeGenericWebhook(webhookOf(name), loadFixture('webhook', name), FIXTURE_CTX));
  });

  it('keeps the alert JSON-safe when the alerts expression builds values (ints become numbers)', () => {
    const w = { ...WEBHOOKS.find((h) => h.name === 'minimal')!, name: 'built', alerts: '[{"message": payload.m, "key": "k", "n": 1, "t": timestamp("2024-06-10T00:00:00Z")}]' };
    const [a] = compileWebhook(w)({ m: 'hi' }, FIXTURE_CTX);
    expect(a?.raw).toEqual({ message: 'hi', key: 'k', n: 1, t: '2024-06-10T00:00:00.000Z' });
    expect(() => JSON.stringify(a)).not.toThrow();
  });

  it('names the mapping field and the webhook when an expression does not compile', () => {
    const w = { ...WEBHOOKS.find((h) => h.name === 'minimal')!, mapping: { title: 'payload.message +', fingerprint: 'payload.key' } };
    expect(() => compileWebhook(w)).toThrow(ConfigError);
    expect(() => compileWebhook(w)).toThrow(/sources\.webhooks\[minimal\]\.mapping\.title/);
  });

  it('rejects a mapping that reads condition variables (webhooks see payload only)', () => {
    const w = { ...WEBHOOKS.find((h) => h.name === 'minimal')!, mapping: { title: 'alert.title', fingerprint: 'payload.key' } };
    expect(() => compileWebhook(w)).toThrow(/mapping\.title/);
  });

  it('reports the index of the element that failed in a batch', () => {
    const body = loadFixture('webhook', 'grafana-firing-and-resolved') as { alerts: Array<Record<string, unknown>> };
    const bad = { ...body, alerts: [body.alerts[0], body.alerts[1], { status: 'firing' }] };
    const error = errorOf(() => normalizeGenericWebhook(webhookOf('grafana-'), bad, FIXTURE_CTX));
    expect(error.issues[0]).toMatchObject({ path: 'mapping.title', message: expect.stringContaining('(alert 2)') });
  });
});

describe('normalizeGenericWebhook fuzzing', () => {
  it.each(WEBHOOKS.map((w) => [w.name, w] as const))('%s: any input is normalized or an InvalidPayloadError', (_name, webhook) => {
    fc.assert(
      fc.property(anyInput, (body) => expectNormalizedOrInvalid(() => normalizeGenericWebhook(webhook, body, FIXTURE_CTX))),
      { numRuns: FUZZ_RUNS },
    );
  });

  it.each(VALID)('%s mutated: normalized or an InvalidPayloadError', (name) => {
    fc.assert(
      fc.property(mutatedFrom(loadFixture('webhook', name)), (body) => expectNormalizedOrInvalid(() => normalizeGenericWebhook(webhookOf(name), body, FIXTURE_CTX))),
      { numRuns: FUZZ_RUNS },
    );
  });
});
