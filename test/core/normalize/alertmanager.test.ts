import fc from 'fast-check';
import { AlertmanagerAlertSchema, normalizeAlertmanager } from '../../../lambdas/core/normalize/alertmanager';
import { DEFAULT_NORMALIZE_OPTIONS } from '../../../lambdas/core/normalize/shared';
import { FIXTURE_CTX, listFixtures, listInvalidFixtures, loadExpected, loadFixture, errorOf } from '../../support/fixtures';
import { anyInput, expectNormalizedOrInvalid, FUZZ_RUNS, mutatedFrom } from '../../support/normalize-fuzz';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are free JSON

const VALID = listFixtures('alertmanager');
const INVALID = listInvalidFixtures('alertmanager');
const example = () => structuredClone(loadFixture('alertmanager', 'firing-and-resolved')) as Json;


describe('normalizeAlertmanager', () => {
  it('has a fixture for every documented variant', () => {
    expect(VALID).toEqual(expect.arrayContaining(['firing-and-resolved', 'v0-25-without-notification-reason']));
  });

  it.each(VALID)('normalizes fixture %s to its expected output', (name) => {
    expect(normalizeAlertmanager(loadFixture('alertmanager', name), FIXTURE_CTX)).toEqual(loadExpected('alertmanager', name));
  });

  it.each(INVALID.map((f) => [f.name, f.errorPath, f] as const))('rejects invalid fixture %s naming %s', (_name, _path, f) => {
    expect(errorOf(() => normalizeAlertmanager(f.body, FIXTURE_CTX)).issues[0]?.path).toBe(f.errorPath);
  });

  it('turns each alert of a mixed group into its own trigger or resolve', () => {
    const alerts = normalizeAlertmanager(example(), FIXTURE_CTX);
    expect(alerts.map((a) => [a.action, a.fingerprintKey])).toEqual([
      ['trigger', 'am:https://alertmanager.example.com:3f9a1c0de4b27781'],
      ['resolve', 'am:https://alertmanager.example.com:a07b55e2c19d3e40'],
    ]);
  });

  it('keys a delivery by fingerprint, startsAt and status, so a repeat is the same delivery and a resolve is not', () => {
    const [firing] = normalizeAlertmanager(example(), FIXTURE_CTX);
    const [repeat] = normalizeAlertmanager({ ...example(), notification_reason: 'repeat interval elapsed' }, FIXTURE_CTX);
    const resolvedBody = example();
    resolvedBody.alerts[0].status = 'resolved';
    resolvedBody.alerts[0].endsAt = '2024-06-10T14:30:00Z';
    const [resolved] = normalizeAlertmanager(resolvedBody, FIXTURE_CTX);
    expect(firing?.deliveryKey).toBe('am:https://alertmanager.example.com:3f9a1c0de4b27781:2024-06-10T14:01:30.123Z:firing');
    expect(repeat?.deliveryKey).toBe(firing?.deliveryKey);
    expect(resolved?.deliveryKey).not.toBe(firing?.deliveryKey);
    expect(resolved?.fingerprintKey).toBe(firing?.fingerprintKey);
    expect(resolved?.occurredAt).toBe('2024-06-10T14:30:00.000Z');
  });

  it.each(['0001-01-01T00:00:00Z', '', null, undefined])('treats endsAt %j as unset', (endsAt) => {
    const body = example();
    body.alerts[1].endsAt = endsAt;
    if (endsAt === undefined) delete body.alerts[1].endsAt;
    expect(normalizeAlertmanager(body, FIXTURE_CTX)[1]?.occurredAt).toBe('2024-06-10T13:40:00.000Z');
  });

  it.each([
    ['critical', 'sev1'],
    ['page', 'sev1'],
    ['error', 'sev2'],
    ['warning', 'sev2'],
    ['info', 'sev3'],
    ['none', 'sev3'],
    ['P3', 'sev2'],
    ['constructor', 'sev2'],
    ['__proto__', 'sev2'],
    [undefined, 'sev2'],
  ])('maps labels.severity %j to %s with the default options', (severity, expected) => {
    const body = example();
    if (severity === undefined) delete body.alerts[0].labels.severity;
    else body.alerts[0].labels.severity = severity;
    expect(normalizeAlertmanager(body, FIXTURE_CTX)[0]?.severity).toBe(expected);
  });

  it('maps severities with the configured map and default', () => {
    const ctx = {
      ...FIXTURE_CTX,
      options: { ...DEFAULT_NORMALIZE_OPTIONS, alertmanagerSeverityMap: { P1: 'sev1' as const }, alertmanagerDefaultSeverity: 'sev3' as const },
    };
    const body = example();
    body.alerts[0].labels.severity = 'P1';
    const [first, second] = normalizeAlertmanager(body, ctx);
    expect(first?.severity).toBe('sev1');
    expect(second?.severity).toBe('sev3');
  });

  it.each([
    ['summary', { summary: 'S', description: 'D' }, 'S', 'D'],
    ['alertname without a summary', { description: 'D' }, 'HighErrorRate', 'D'],
    ['summary without a description', { summary: 'S' }, 'S', 'S'],
    ['alertname without annotations', undefined, 'HighErrorRate', 'HighErrorRate'],
  ])('takes title and description from %s', (_what, annotations, title, description) => {
    const body = example();
    body.alerts[0].annotations = annotations;
    const [alert] = normalizeAlertmanager(body, FIXTURE_CTX);
    expect(alert?.title).toBe(title);
    expect(alert?.description).toBe(description);
  });

  it('labels every alert with its own labels and the receiver', () => {
    expect(normalizeAlertmanager(example(), FIXTURE_CTX)[1]?.labels).toEqual({
      alertname: 'HighErrorRate',
      service: 'checkout',
      severity: 'critical',
      instance: '10.0.3.18:8080',
      am_receiver: 'alert-pipeline',
    });
  });

  it('accepts a group without notification_reason, routeLabels, groupKey and truncatedAlerts', () => {
    const { notification_reason: _a, routeLabels: _b, groupKey: _c, truncatedAlerts: _d, ...body } = example();
    expect(normalizeAlertmanager(body, FIXTURE_CTX)).toHaveLength(2);
  });
});

describe('normalizeAlertmanager fuzzing', () => {
  it('normalizes or rejects arbitrary values with InvalidPayloadError', () => {
    fc.assert(
      fc.property(anyInput, (body) => expectNormalizedOrInvalid(() => normalizeAlertmanager(body, FIXTURE_CTX))),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('normalizes or rejects groups of arbitrary alerts with InvalidPayloadError', () => {
    const field = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.string({ maxLength: 12 }));
    const alert = fc.record(
      {
        status: fc.oneof(field, fc.constantFrom('firing', 'resolved')),
        labels: fc.oneof(field, fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }))),
        annotations: fc.oneof(field, fc.dictionary(fc.constantFrom('summary', 'description', 'x'), fc.string({ maxLength: 10 }))),
        startsAt: fc.oneof(field, fc.constantFrom('2024-06-10T14:01:30.123Z', '0001-01-01T00:00:00Z', '2024-06-10T14:01:30+02:00')),
        endsAt: fc.oneof(field, fc.constantFrom('0001-01-01T00:00:00Z', '2024-06-10T14:30:00Z')),
        generatorURL: field,
        fingerprint: field,
      },
      { requiredKeys: [] },
    );
    const group = fc.record({
      version: fc.constantFrom<unknown>('4', 4, '3'),
      receiver: fc.oneof(field, fc.constant('alert-pipeline')),
      externalURL: fc.oneof(field, fc.constant('https://alertmanager.example.com')),
      alerts: fc.array(alert, { maxLength: 3 }),
    });
    fc.assert(
      fc.property(group, (body) => expectNormalizedOrInvalid(() => normalizeAlertmanager(body, FIXTURE_CTX))),
      { numRuns: FUZZ_RUNS },
    );
  });

  it.each(VALID)('normalizes or rejects mutations of fixture %s with InvalidPayloadError', (name) => {
    fc.assert(
      fc.property(mutatedFrom(loadFixture('alertmanager', name)), (body) =>
        expectNormalizedOrInvalid(() => normalizeAlertmanager(body, FIXTURE_CTX)),
      ),
      { numRuns: 100 },
    );
  });
});

/** The same alerts as objects without a prototype: the schema accepts them, the plain-JSON fast check does not. */
function throughSchema(body: Json): Json {
  const bare = (v: unknown): unknown => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.assign(Object.create(null), v) : v);
  return { ...body, alerts: Array.isArray(body.alerts) ? body.alerts.map((a: unknown) => (a !== null && typeof a === 'object' && !Array.isArray(a) ? bare(Object.fromEntries(Object.entries(a).map(([k, v]) => [k, bare(v)]))) : a)) : body.alerts };
}

function outcomeOf(run: () => unknown): unknown {
  try {
    return { ok: run() };
  } catch (error) {
    return { error: error instanceof Error ? [error.constructor.name, (error as { issues?: unknown }).issues ?? error.message] : error };
  }
}

describe('normalizeAlertmanager without the schema for plain alerts', () => {
  it('validates the alerts of a valid body without running the alert schema (its parse cost ~3.5 µs per alert)', () => {
    const run = jest.spyOn(AlertmanagerAlertSchema._zod, 'run');
    try {
      expect(normalizeAlertmanager(example(), FIXTURE_CTX)).toHaveLength(2);
      expect(run).toHaveBeenCalledTimes(0);
    } finally {
      run.mockRestore();
    }
  });

  it.each([
    ['a __proto__ label', '{"status":"firing","labels":{"__proto__":"x","a":"b"},"startsAt":"2024-06-10T14:01:30.123Z","fingerprint":"f"}'],
    ['a __proto__ annotation', '{"status":"firing","labels":{},"annotations":{"__proto__":{"summary":"s"}},"startsAt":"2024-06-10T14:01:30.123Z","fingerprint":"f"}'],
    ['a startsAt with an offset', '{"status":"firing","labels":{},"startsAt":"2024-06-10T13:55:18.402+02:00","fingerprint":"f"}'],
    ['a startsAt out of range', '{"status":"firing","labels":{},"startsAt":"2024-06-31T10:00:00.000Z","fingerprint":"f"}'],
    ['a number label', '{"status":"firing","labels":{"a":1},"startsAt":"2024-06-10T14:01:30.123Z","fingerprint":"f"}'],
  ])('gives what the schema gives for an alert with %s', (_what, alert) => {
    const body = JSON.parse(`{"version":"4","receiver":"r","externalURL":"https://am.example.com","alerts":[${alert}]}`) as Json;
    const viaSchema = outcomeOf(() => normalizeAlertmanager(throughSchema(body), FIXTURE_CTX));
    const got = outcomeOf(() => normalizeAlertmanager(body, FIXTURE_CTX)) as { ok?: Array<{ labels: object }> };
    expect(got).toEqual(viaSchema);
    if (got.ok) expect(Object.keys(got.ok[0]!.labels)).toEqual(Object.keys((viaSchema as typeof got).ok![0]!.labels));
  });

  it('gives what the schema gives, or the same error naming the same field, for arbitrary alerts', () => {
    const field = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.string({ maxLength: 12 }));
    const stamp = fc.constantFrom('2024-06-10T14:01:30.123Z', '2024-02-29T23:59:59.999Z', '2024-06-31T10:00:00.000Z', '0001-01-01T00:00:00.000Z', '2024-06-10T14:01:30Z', '2024-06-10T14:01:30+02:00', ' 2024-06-10T14:01:30.123Z');
    const labels = fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'summary', '0')), fc.oneof(fc.string({ maxLength: 10 }), field), { maxKeys: 4 });
    const alert = fc.record(
      {
        status: fc.oneof(field, fc.constantFrom('firing', 'resolved')),
        labels: fc.oneof(field, labels),
        annotations: fc.oneof(field, labels, fc.constant(null)),
        startsAt: fc.oneof(field, stamp),
        endsAt: fc.oneof(field, stamp, fc.constant(null)),
        generatorURL: fc.oneof(field, fc.constant(null)),
        fingerprint: fc.oneof(field, fc.constantFrom('', 'abc123')),
        extra: field,
      },
      { requiredKeys: [] },
    );
    const group = fc.record({ version: fc.constant('4'), receiver: fc.constant('r'), externalURL: fc.constant('https://am.example.com'), alerts: fc.array(alert, { minLength: 1, maxLength: 3 }) });
    fc.assert(
      fc.property(group, (body) => {
        const parsed = JSON.parse(JSON.stringify(body)) as Json; // as a sender's body arrives: `__proto__` an own key
        expect(outcomeOf(() => normalizeAlertmanager(parsed, FIXTURE_CTX))).toEqual(outcomeOf(() => normalizeAlertmanager(throughSchema(parsed), FIXTURE_CTX)));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
