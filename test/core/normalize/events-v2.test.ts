import fc from 'fast-check';
import { generatedDedupKey, maskRoutingKey, normalizeEventsV2, routingKeyDigest } from '../../../lambdas/core/normalize/events-v2';
import { FIXTURE_CTX, listFixtures, listInvalidFixtures, loadExpected, loadFixture, errorOf } from '../../support/fixtures';
import { anyInput, expectNormalizedOrInvalid, FUZZ_RUNS, mutatedFrom } from '../../support/normalize-fuzz';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are free JSON

const VALID = listFixtures('events-v2');
const INVALID = listInvalidFixtures('events-v2');
const ROUTING_KEY = '0123456789abcdef0123456789abcdef';
const trigger = () => structuredClone(loadFixture('events-v2', 'trigger')) as Json;


describe('normalizeEventsV2', () => {
  it('has a fixture for every documented variant', () => {
    expect(VALID).toEqual(expect.arrayContaining(['trigger', 'acknowledge', 'resolve', 'trigger-without-dedup-key']));
  });

  it.each(VALID)('normalizes fixture %s to its expected output', (name) => {
    expect([normalizeEventsV2(loadFixture('events-v2', name), FIXTURE_CTX).alert]).toEqual(loadExpected('events-v2', name));
  });

  it.each(INVALID.map((f) => [f.name, f.errorPath, f] as const))('rejects invalid fixture %s naming %s', (_name, _path, f) => {
    expect(errorOf(() => normalizeEventsV2(f.body, FIXTURE_CTX)).issues[0]?.path).toBe(f.errorPath);
  });

  it.each([
    ['trigger', 'trigger'],
    ['acknowledge', 'acknowledge'],
    ['resolve', 'resolve'],
  ])('maps event_action %s to action %s', (name, action) => {
    expect(normalizeEventsV2(loadFixture('events-v2', name), FIXTURE_CTX).alert.action).toBe(action);
  });

  it.each([
    ['critical', 'sev1'],
    ['error', 'sev2'],
    ['warning', 'sev3'],
    ['info', 'sev3'],
  ])('maps payload.severity %s to %s', (severity, expected) => {
    const body = trigger();
    body.payload.severity = severity;
    const { alert } = normalizeEventsV2(body, FIXTURE_CTX);
    expect(alert.severity).toBe(expected);
    expect(alert.sourceSeverity).toBe(severity);
  });

  it('answers with the dedup key the sender chose', () => {
    expect(normalizeEventsV2(trigger(), FIXTURE_CTX).dedupKey).toBe('cw:arn:aws:cloudwatch:eu-west-1:111122223333:alarm:checkout-5xx-rate');
  });

  it('generates a dedup key for a trigger without one, from the request id only', () => {
    const body = loadFixture('events-v2', 'trigger-without-dedup-key');
    const a = normalizeEventsV2(body, FIXTURE_CTX);
    const again = normalizeEventsV2(body, FIXTURE_CTX);
    const other = normalizeEventsV2(body, { ...FIXTURE_CTX, requestId: 'req-0002' });
    expect(a.dedupKey).toBe(generatedDedupKey('req-0001'));
    expect(a.dedupKey).toMatch(/^[0-9a-f]{32}$/);
    expect(again.dedupKey).toBe(a.dedupKey);
    expect(other.dedupKey).not.toBe(a.dedupKey);
    expect(a.alert.fingerprintKey).toBe(`pd:${routingKeyDigest("R0123456789abcdef0123456789abcde")}:${a.dedupKey}`);
  });

  it.each([null, ''])('generates a dedup key for a trigger whose dedup_key is %j', (dedupKey) => {
    expect(normalizeEventsV2({ ...trigger(), dedup_key: dedupKey }, FIXTURE_CTX).dedupKey).toBe(generatedDedupKey('req-0001'));
  });

  it('uses the request id as the delivery key', () => {
    expect(normalizeEventsV2(trigger(), { ...FIXTURE_CTX, requestId: 'abc-123' }).alert.deliveryKey).toBe('pd:abc-123');
  });

  it('gives trigger, acknowledge and resolve of one dedup key one fingerprint', () => {
    const keys = ['trigger', 'acknowledge', 'resolve'].map((n) => normalizeEventsV2(loadFixture('events-v2', n), FIXTURE_CTX).alert.fingerprintKey);
    expect(new Set(keys).size).toBe(1);
  });

  it('scopes the fingerprint to the routing key', () => {
    const other = normalizeEventsV2({ ...trigger(), routing_key: 'fedcba9876543210fedcba9876543210' }, FIXTURE_CTX);
    expect(other.alert.fingerprintKey).not.toBe(normalizeEventsV2(trigger(), FIXTURE_CTX).alert.fingerprintKey);
  });

  it('keeps a fingerprint key over 255 characters as it is', () => {
    const body = { ...trigger(), dedup_key: 'k'.repeat(255) };
    expect(normalizeEventsV2(body, FIXTURE_CTX).alert.fingerprintKey).toBe(`pd:${routingKeyDigest(ROUTING_KEY)}:${'k'.repeat(255)}`);
    expect(normalizeEventsV2(body, FIXTURE_CTX).alert.fingerprintKey).not.toContain(ROUTING_KEY);
  });

  it('shows only the first 8 characters of the routing key in labels, identity and raw', () => {
    const result = normalizeEventsV2(trigger(), FIXTURE_CTX);
    expect(result.routingKey).toBe(ROUTING_KEY);
    expect(result.alert.labels.routing_key).toBe('01234567…');
    expect(result.alert.identity).toContainEqual(['routing_key', '01234567…']);
    expect(JSON.stringify(result.alert.raw)).not.toContain(ROUTING_KEY);
    expect(JSON.stringify(result.alert.labels)).not.toContain(ROUTING_KEY);
    expect(maskRoutingKey('short')).toBe('short');
  });

  it.each([
    [1024, 1024],
    [1025, 1024],
    [5000, 1024],
  ])('clips a summary of %i characters to %i', (length, expected) => {
    const body = trigger();
    body.payload.summary = 's'.repeat(length);
    expect(normalizeEventsV2(body, FIXTURE_CTX).alert.title).toHaveLength(expected);
  });

  it('takes occurredAt from payload.timestamp, else the receive time', () => {
    expect(normalizeEventsV2(trigger(), FIXTURE_CTX).alert.occurredAt).toBe('2024-06-10T14:03:12.345Z');
    const body = trigger();
    delete body.payload.timestamp;
    expect(normalizeEventsV2(body, FIXTURE_CTX).alert.occurredAt).toBe(FIXTURE_CTX.receivedAt);
  });

  it.each([
    ['links[0].href', (b: Json) => b, 'https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/checkout-5xx-rate'],
    ['client_url without links', ({ links: _, ...b }: Json) => b, 'https://alerts.example.com/incidents/inc_01HZXK7Q'],
    ['nothing', ({ links: _, client_url: __, ...b }: Json) => b, null],
  ])('takes alertUrl from %s', (_what, mutate, url) => {
    expect(normalizeEventsV2(mutate(trigger()), FIXTURE_CTX).alert.alertUrl).toBe(url);
  });

  it('labels component, group, class and source', () => {
    expect(normalizeEventsV2(trigger(), FIXTURE_CTX).alert.labels).toEqual({
      component: 'alb',
      group: 'checkout',
      class: 'HTTPCode_Target_5XX_Count',
      source: 'app/checkout-alb/0123456789abcdef',
      routing_key: '01234567…',
    });
  });

  it('ignores the payload of a resolve', () => {
    const { alert } = normalizeEventsV2({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'x', payload: { severity: 'bogus' } }, FIXTURE_CTX);
    expect(alert.action).toBe('resolve');
    expect(alert.severity).toBe('sev3');
  });
});

describe('normalizeEventsV2 fuzzing', () => {
  const run = (body: unknown) => () => [normalizeEventsV2(body, FIXTURE_CTX).alert];

  it('normalizes or rejects arbitrary values with InvalidPayloadError', () => {
    fc.assert(fc.property(anyInput, (body) => expectNormalizedOrInvalid(run(body))), { numRuns: FUZZ_RUNS });
  });

  it('normalizes or rejects arbitrary event-shaped objects with InvalidPayloadError', () => {
    const field = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.string({ maxLength: 12 }));
    const event = fc.record(
      {
        routing_key: fc.oneof(field, fc.constant(ROUTING_KEY)),
        event_action: fc.oneof(field, fc.constantFrom('trigger', 'acknowledge', 'resolve')),
        dedup_key: field,
        payload: fc.oneof(
          field,
          fc.record(
            {
              summary: field,
              source: field,
              severity: fc.oneof(field, fc.constantFrom('critical', 'error', 'warning', 'info')),
              timestamp: fc.oneof(field, fc.constantFrom('2024-06-10T14:03:12.345+0000', '9999-12-31T23:59:59-12:00')),
            },
            { requiredKeys: [] },
          ),
        ),
        links: field,
        client_url: field,
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(event, (body) => expectNormalizedOrInvalid(run(body))), { numRuns: FUZZ_RUNS });
  });

  it.each(VALID)('normalizes or rejects mutations of fixture %s with InvalidPayloadError', (name) => {
    fc.assert(fc.property(mutatedFrom(loadFixture('events-v2', name)), (body) => expectNormalizedOrInvalid(run(body))), { numRuns: 50 });
  });
});
