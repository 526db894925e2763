import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipelineConfigText } from '../../../lambdas/core/config/parse-pipeline-config-text';
import type { PipelineConfig } from '../../../lambdas/core/config/pipeline-config.schema';
import { InvalidPayloadError } from '../../../lambdas/core/errors';
import type { NormalizedAlert } from '../../../lambdas/core/model/alert';
import { processEnvelopes, envelopesOf } from '../../../lambdas/core/pipeline';
import { compileRules } from '../../../lambdas/core/rules/compile';
import { detectCloudWatchVia, normalizeRaw } from '../../../lambdas/core/simulate/normalize-raw';
import { simulate, Simulator } from '../../../lambdas/core/simulate/simulate';
import { InMemoryIncidentStore } from '../../../lambdas/adapters/in-memory/incident-store';
import { REPO_ROOT, loadFixture } from '../../support/fixtures';

const fixtureConfig = (name: string): PipelineConfig => parsePipelineConfigText(readFileSync(join(REPO_ROOT, 'test', 'fixtures', name), 'utf8'));
const current = fixtureConfig('golden/current.yaml');
const cw = (name: string) => loadFixture('cloudwatch', name);
const ts = (name: string) => loadFixture('threatstack', name);

/** The alarm message inside an SNS HTTPS fixture, with another state and time. */
function alarmMessage(state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA', time: string, name = 'checkout-5xx-rate'): Record<string, unknown> {
  const msg = JSON.parse((cw('sns-https-metric-alarm') as { Message: string }).Message) as Record<string, unknown>;
  return { ...msg, AlarmName: name, AlarmArn: `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${name}`, NewStateValue: state, StateChangeTime: time };
}

function shorthand(over: Partial<NormalizedAlert> & { key: string; fp?: string; at: string }): NormalizedAlert {
  const { key, fp, at, ...rest } = over;
  return {
    source: 'cloudwatch', deliveryKey: key, identity: [['k', fp ?? 'fp']], fingerprintKey: fp ?? 'fp', action: 'trigger', title: 't', description: '',
    severity: 'sev2', sourceSeverity: 'ALARM', occurredAt: at, alertUrl: null, resource: null, labels: {}, raw: {}, ...rest,
  };
}

describe('simulate', () => {
  it('enriches CloudWatch alarms from cloudwatchAlarms.local, so a rule on alarm.tags routes in golden cases and replay', () => {
    const config = {
      ...current,
      rules: { ...current.rules, routing: [{ name: 'security-team-alarms', when: 'alarm.tags.?team.orValue("") == "security"', route: { service: 'security' } }, ...current.rules.routing] },
      cloudwatchAlarms: { ...current.cloudwatchAlarms, local: { 'checkout-5xx-rate': { tags: { team: 'security' } } } },
    } satisfies PipelineConfig;
    const r = simulate(config, [
      { at: '2024-06-10T14:03:13Z', source: 'cloudwatch', via: 'sns-https', body: cw('sns-https-metric-alarm') },
      { at: '2024-06-10T14:04:00Z', source: 'cloudwatch', body: alarmMessage('ALARM', '2024-06-10T14:03:59.000+0000', 'other-alarm') },
    ]);
    expect(r.alerts.map((a) => a.route.service)).toEqual(['security', 'platform']);
    expect(r.alerts[0]!.trace[0]).toMatchObject({ stage: 'enrich', outcome: 'enriched', data: { tags: { team: 'security' }, from: 'cloudwatchAlarms.local' } });
  });

  it('dedups, resolves, and opens a new incident on the next ALARM (raw SNS HTTPS bodies)', () => {
    const r = simulate(current, [
      { at: '2024-06-10T14:03:13Z', source: 'cloudwatch', via: 'sns-https', body: cw('sns-https-metric-alarm') },
      { at: '2024-06-10T14:03:20Z', source: 'cloudwatch', via: 'sns-https', body: JSON.stringify(cw('sns-https-metric-alarm')) }, // SNS redelivery, as text
      { at: '2024-06-10T14:20:13Z', source: 'cloudwatch', via: 'sns-https', body: cw('sns-https-ok') },
      { at: '2024-06-10T15:00:00Z', source: 'cloudwatch', body: alarmMessage('ALARM', '2024-06-10T14:59:59.000+0000') },
    ]);
    expect(r.alerts.map((a) => [a.outcome, a.incident, a.pages])).toEqual([
      ['opened', '#1', true],
      ['duplicate', null, false],
      ['resolved', '#1', false],
      ['opened', '#2', true],
    ]);
    expect(r.alerts[0]).toMatchObject({
      deliveryIndex: 0, alertIndex: 0, at: '2024-06-10T14:03:13.000Z', severity: 'sev2', suppression: null, holdMinutes: null,
      tags: { source: 'cloudwatch', severity: 'sev2' },
      route: { service: 'platform', team: 'platform', escalationPolicy: 'platform-oncall', rule: 'default' },
      pageAt: '2024-06-10T14:03:13.000Z',
    });
    expect(r.alerts[0]!.trace.map((s) => s.stage)).toEqual(['enrich', 'fingerprint', 'classify', 'route', 'suppress', 'deduplicate']);
    expect(r.alerts[0]!.fingerprint).toBe(r.alerts[3]!.fingerprint);
    expect(r.incidents.map((i) => [i.label, i.status, i.alertCount, i.service, i.suppressed, i.pages])).toEqual([
      ['#1', 'resolved', 1, 'platform', false, true],
      ['#2', 'triggered', 1, 'platform', false, true],
    ]);
    expect(r.incidents[0]!.openedBy).toEqual({ deliveryIndex: 0, alertIndex: 0, deliveryKey: r.alerts[0]!.deliveryKey });
    expect(r.rejected).toEqual([]);
  });

  it('a resent Threat Stack batch counts once and a repeat joins the open incident', () => {
    const batch = ts('batch-host-and-cloudtrail') as { alerts: Array<Record<string, unknown>> };
    const repeat = { ...batch.alerts[0], id: 'repeat-1', created_at: 1718028600000 };
    const r = simulate(current, [
      { at: '2024-06-10T14:00:01Z', source: 'threatstack', body: batch },
      { at: '2024-06-10T14:00:30Z', source: 'threatstack', body: batch },
      { at: '2024-06-10T14:10:01Z', source: 'threatstack', body: repeat },
    ]);
    expect(r.alerts.map((a) => `${a.deliveryIndex}.${a.alertIndex} ${a.outcome} ${a.incident}`)).toEqual([
      '0.0 opened #1', '0.1 opened #2', '1.0 duplicate null', '1.1 duplicate null', '2.0 joined #1',
    ]);
    expect(r.incidents.map((i) => i.alertCount)).toEqual([2, 1]);
  });

  it('records INSUFFICIENT_DATA without a page, with the built-in reason as its suppression', () => {
    const r = simulate(current, [
      { at: '2024-06-10T14:00:00Z', source: 'cloudwatch', via: 'sns-https', body: cw('sns-https-insufficient-data') },
    ]);
    expect(r.alerts[0]).toMatchObject({
      outcome: 'suppressed', pages: false, incident: '#1',
      suppression: { reason: 'insufficient-data: INSUFFICIENT_DATA is recorded without a page', rule: null },
    });
    expect(r.incidents[0]).toMatchObject({ status: 'suppressed', suppressed: true, pages: false });
  });

  it('runs inputs in time order whatever order they are given in, and keeps going after a rejected body', () => {
    const r = simulate(current, [
      { at: '2024-06-10T14:20:00Z', alerts: [shorthand({ key: 'b', at: '2024-06-10T14:20:00Z', action: 'resolve' })] },
      { at: '2024-06-10T14:10:00Z', source: 'threatstack', body: { alerts: [] } },
      { at: '2024-06-10T14:00:00Z', alerts: [shorthand({ key: 'a', at: '2024-06-10T14:00:00Z' })] },
    ]);
    expect(r.alerts.map((a) => [a.deliveryKey, a.deliveryIndex, a.outcome])).toEqual([['a', 0, 'opened'], ['b', 2, 'resolved']]);
    expect(r.rejected).toEqual([
      { deliveryIndex: 1, at: '2024-06-10T14:10:00.000Z', source: 'threatstack', via: 'threatstack-webhook', error: 'invalid payload: alerts: must not be empty' },
    ]);
  });

  it('a delay rule holds the page: resolved within the hold it never pages, otherwise it pages when the hold ends', () => {
    const config = parsePipelineConfigText(`${readFileSync(join(REPO_ROOT, 'test/fixtures/golden/current.yaml'), 'utf8')}
  delays:
    - name: sev3-waits
      when: 'tags.severity == "sev3"'
      holdMinutes: 10
`);
    const r = simulate(config, [
      { at: '2024-06-10T14:00:00Z', alerts: [shorthand({ key: 'a1', fp: 'a', at: '2024-06-10T14:00:00Z', severity: 'sev3' })] },
      { at: '2024-06-10T14:05:00Z', alerts: [shorthand({ key: 'a2', fp: 'a', at: '2024-06-10T14:05:00Z', action: 'resolve' })] },
      { at: '2024-06-10T14:06:00Z', alerts: [shorthand({ key: 'b1', fp: 'b', at: '2024-06-10T14:06:00Z', severity: 'sev3' })] },
      { at: '2024-06-10T14:30:00Z', alerts: [shorthand({ key: 'b2', fp: 'b', at: '2024-06-10T14:30:00Z', action: 'resolve' })] },
    ]);
    expect(r.alerts.map((a) => [a.deliveryKey, a.holdMinutes, a.pages, a.pageAt])).toEqual([
      ['a1', 10, false, null],
      ['a2', null, false, null],
      ['b1', 10, true, '2024-06-10T14:16:00.000Z'],
      ['b2', null, false, null],
    ]);
    expect(r.incidents[0]!.pageNote).toBe('held 10 min; no longer triggered when the hold ended');
  });

  it('a maintenance window suppresses; an incident still suppressed when it ends pages then', () => {
    const config = parsePipelineConfigText(`${readFileSync(join(REPO_ROOT, 'test/fixtures/golden/current.yaml'), 'utf8')}
maintenance:
  - name: upgrade
    services: [platform]
    start: '2024-06-10T14:00:00Z'
    end: '2024-06-10T15:00:00Z'
`);
    const r = simulate(config, [
      { at: '2024-06-10T14:10:00Z', alerts: [shorthand({ key: 'x', fp: 'x', at: '2024-06-10T14:10:00Z' })] },
      { at: '2024-06-10T14:20:00Z', alerts: [shorthand({ key: 'y', fp: 'y', at: '2024-06-10T14:20:00Z' })] },
      { at: '2024-06-10T14:40:00Z', alerts: [shorthand({ key: 'y-ok', fp: 'y', at: '2024-06-10T14:40:00Z', action: 'resolve' })] },
    ]);
    expect(r.alerts.map((a) => [a.deliveryKey, a.outcome, a.suppression?.rule ?? null, a.pages])).toEqual([
      ['x', 'suppressed', 'maintenance:upgrade', false], // the simulation ends at 14:40, before the window does
      ['y', 'suppressed', 'maintenance:upgrade', false],
      ['y-ok', 'resolved', 'maintenance:upgrade', false],
    ]);
    const later = simulate(config, [
      { at: '2024-06-10T14:10:00Z', alerts: [shorthand({ key: 'x', fp: 'x', at: '2024-06-10T14:10:00Z' })] },
    ], { until: '2024-06-10T16:00:00Z' });
    expect(later.alerts[0]).toMatchObject({ pages: true, pageAt: '2024-06-10T15:00:00.000Z' });
    expect(later.incidents[0]).toMatchObject({ status: 'triggered', suppressed: false, pages: true, pageNote: 'maintenance ended' });
  });

  it('a quiet Threat Stack incident auto-resolves at its due time; the next alert opens a new incident', () => {
    const one = (ts('bare-alert') as Record<string, unknown>);
    const r = simulate(current, [
      { at: '2024-06-10T14:00:00Z', source: 'threatstack', body: { ...one, id: 'q1', created_at: Date.parse('2024-06-10T14:00:00Z') } },
      { at: '2024-06-10T19:00:00Z', source: 'threatstack', body: { ...one, id: 'q2', created_at: Date.parse('2024-06-10T19:00:00Z') } },
    ]);
    expect(r.alerts.map((a) => [a.outcome, a.incident])).toEqual([['opened', '#1'], ['opened', '#2']]);
    expect(r.incidents[0]).toMatchObject({ status: 'resolved', resolvedAt: '2024-06-10T18:00:00.000Z', resolvedBy: 'pipeline:auto-resolve' });
    const noSweep = simulate(current, [
      { at: '2024-06-10T14:00:00Z', source: 'threatstack', body: { ...one, id: 'q1', created_at: Date.parse('2024-06-10T14:00:00Z') } },
      { at: '2024-06-10T19:00:00Z', source: 'threatstack', body: { ...one, id: 'q2', created_at: Date.parse('2024-06-10T19:00:00Z') } },
    ], { sweep: false });
    expect(noSweep.alerts.map((a) => a.outcome)).toEqual(['opened', 'joined']);
  });

  it('decides like processEnvelopes over the in-memory store, delivery by delivery', async () => {
    const rules = compileRules(current);
    const deliveries: Array<{ at: string; alerts: NormalizedAlert[] }> = [
      { at: '2024-06-10T14:00:00.000Z', alerts: [shorthand({ key: 'a', fp: 'p', at: '2024-06-10T14:00:00.000Z' }), shorthand({ key: 'b', fp: 'q', at: '2024-06-10T14:00:00.000Z', title: 'firewall down' })] },
      { at: '2024-06-10T14:01:00.000Z', alerts: [shorthand({ key: 'c', fp: 'p', at: '2024-06-10T14:01:00.000Z' })] },
      { at: '2024-06-10T14:02:00.000Z', alerts: [shorthand({ key: 'c', fp: 'p', at: '2024-06-10T14:01:00.000Z' })] },
      { at: '2024-06-10T14:03:00.000Z', alerts: [shorthand({ key: 'd', fp: 'p', at: '2024-06-10T14:03:00.000Z', action: 'resolve' }), shorthand({ key: 'e', fp: 'q', at: '2024-06-10T14:03:00.000Z', action: 'info', sourceSeverity: 'INSUFFICIENT_DATA' })] },
      { at: '2024-06-10T14:04:00.000Z', alerts: [shorthand({ key: 'f', fp: 'p', at: '2024-06-10T14:04:00.000Z' }), shorthand({ key: 'g', fp: 'p', at: '2024-06-10T14:04:30.000Z', action: 'resolve' })] },
    ];
    const store = new InMemoryIncidentStore();
    const live: string[] = [];
    for (const [i, d] of deliveries.entries()) {
      const t = Date.parse(d.at);
      const envs = envelopesOf({ source: 'cloudwatch', via: 'test', rawBody: '', alerts: d.alerts, receivedAt: d.at, requestId: `r${i}` }, `raw/${i}`);
      const res = await processEnvelopes(envs.map((envelope, j) => ({ recordId: `${i}-${j}`, envelope })), {
        store, rules, escalator: { start: async () => {}, stop: async () => {} }, clock: { now: () => new Date(t) },
        sleep: async () => {}, random: () => 0.5, log: () => {},
      });
      for (const o of res.outcomes) live.push(`${o.deliveryKey} ${o.outcome} ${o.incidentId}`);
    }
    expect(live).toHaveLength(8);
    const sim = simulate(current, deliveries, { rules });
    expect(sim.alerts.map((a) => `${a.deliveryKey} ${a.outcome} ${a.incidentId}`).sort()).toEqual(live.sort());
    const stored = (await store.listIncidents({ limit: 100 })).items;
    expect(sim.incidents.map((i) => [i.id, i.status, i.alertCount]).sort()).toEqual(stored.map((i) => [i.id, i.status, i.alertCount]).sort());
  });

  it('Simulator.push returns the delivery\'s alerts as they are processed', () => {
    const sim = new Simulator(current, { traces: false });
    const first = sim.push({ at: '2024-06-10T14:00:00Z', alerts: [shorthand({ key: 'a', at: '2024-06-10T14:00:00Z' })] });
    expect(first.map((a) => [a.outcome, a.incident, a.trace])).toEqual([['opened', '#1', []]]);
    expect(() => sim.push({ at: 'yesterday', alerts: [] })).toThrow('delivery 2: at: "yesterday" is not an ISO 8601 time');
  });
});

describe('normalizeRaw', () => {
  const ctx = { receivedAt: '2024-06-10T14:05:00.000Z', requestId: 'req-1' };
  const keyOf = (source: Parameters<typeof normalizeRaw>[0], via: string | undefined, body: unknown, config: PipelineConfig = current) =>
    normalizeRaw(source, via, body, ctx, config).map((a) => `${a.source} ${a.action} ${a.deliveryKey} via=${a.labels.via ?? '-'}`);

  it('dispatches CloudWatch bodies by route, as archived by each ingest handler', () => {
    const key = 'cw:arn:aws:cloudwatch:eu-west-1:111122223333:alarm:checkout-5xx-rate|2024-06-10T14:03:12.345Z|ALARM';
    const lambdaEvent = cw('sns-lambda-record') as { Records: unknown[] };
    expect(keyOf('cloudwatch', 'sns-https', cw('sns-https-metric-alarm'))).toEqual([`cloudwatch trigger ${key} via=sns-https`]);
    expect(keyOf('cloudwatch', 'sns-lambda', lambdaEvent.Records[0])).toEqual([`cloudwatch trigger ${key} via=sns-lambda`]);
    expect(keyOf('cloudwatch', 'sns-lambda', lambdaEvent)).toEqual([`cloudwatch trigger ${key} via=sns-lambda`]);
    expect(keyOf('cloudwatch', 'eventbridge', cw('eventbridge-ok'))).toEqual([
      'cloudwatch resolve cw:arn:aws:cloudwatch:eu-west-1:111122223333:alarm:checkout-5xx-rate|2024-06-10T14:20:12.305Z|OK via=eventbridge',
    ]);
    expect(keyOf('cloudwatch', undefined, alarmMessage('ALARM', '2024-06-10T14:03:12.345+0000'))).toEqual([`cloudwatch trigger ${key} via=sns-lambda`]);
    expect(() => keyOf('cloudwatch', 'carrier-pigeon', {})).toThrow('unknown CloudWatch route "carrier-pigeon"');
  });

  it('detects the CloudWatch shape when no route is given', () => {
    expect(detectCloudWatchVia(cw('sns-https-ok'))).toBe('sns-https');
    expect(detectCloudWatchVia(cw('sns-lambda-record'))).toBe('sns-lambda');
    expect(detectCloudWatchVia((cw('sns-lambda-record') as { Records: unknown[] }).Records[0])).toBe('sns-lambda');
    expect(detectCloudWatchVia(cw('sns-sqs-record'))).toBe('sns-sqs');
    expect(detectCloudWatchVia(cw('eventbridge-ok'))).toBe('eventbridge');
    expect(detectCloudWatchVia(cw('alarm-lambda-metric'))).toBe('alarm-lambda');
    expect(detectCloudWatchVia({ AlarmName: 'x' })).toBe('alarm-message');
  });

  it('normalizes Threat Stack, Events v2, Alertmanager and webhook bodies like their routes', () => {
    expect(keyOf('threatstack', 'threatstack-webhook', ts('batch-host-and-cloudtrail'))).toHaveLength(2);
    expect(keyOf('events-v2', 'events-v2', loadFixture('events-v2', 'trigger'))[0]).toMatch(/^events-v2 trigger /);
    expect(keyOf('alertmanager', undefined, loadFixture('alertmanager', 'firing-and-resolved')).length).toBeGreaterThan(0);
    const webhooks = fixtureConfig('config/rules/good/webhooks.yaml');
    expect(keyOf('webhook', 'webhook:uptime', loadFixture('webhook', 'uptime-down'), webhooks)).toEqual(['webhook trigger wh:uptime:req-1:0 via=-']);
    expect(() => keyOf('webhook', 'webhook:nope', {}, webhooks)).toThrow('no webhook "nope" in this config (webhooks: grafana, uptime, passthrough, minimal)');
    expect(() => keyOf('webhook', undefined, {}, webhooks)).toThrow('a webhook body needs via "webhook:<name>" (got none)');
  });

  it('a body that is not JSON or not the source\'s shape is an InvalidPayloadError naming the field', () => {
    expect(() => keyOf('threatstack', undefined, '{not json')).toThrow(InvalidPayloadError);
    expect(() => keyOf('threatstack', undefined, { alerts: [{ id: 'x' }] })).toThrow(/alerts\[0\]\./);
  });
});

describe('replay of Events v2 bodies that came through a named integration', () => {
  const trigger = { ...(loadFixture('events-v2', 'trigger') as object), routing_key: 'key-before-rotation', dedup_key: 'disk-full' };
  const resolve = { routing_key: 'key-after-rotation', event_action: 'resolve', dedup_key: 'disk-full' };

  it('keys them by the integration, as the ingest route did: a resolve after a rotation resolves the incident', () => {
    const r = simulate(current, [
      { at: '2026-11-02T10:00:00Z', source: 'events-v2', body: trigger, integration: 'monitoring' },
      { at: '2026-11-02T10:05:00Z', source: 'events-v2', body: resolve, integration: 'monitoring' },
    ]);
    expect(r.incidents.map((i) => i.status)).toEqual(['resolved']);
  });

  it('keeps the routing-key digest for the single ingest token (no integration, or default)', () => {
    const r = simulate(current, [
      { at: '2026-11-02T10:00:00Z', source: 'events-v2', body: trigger, integration: 'default' },
      { at: '2026-11-02T10:05:00Z', source: 'events-v2', body: resolve },
    ]);
    expect(r.incidents.map((i) => i.status)).toEqual(['triggered']);
  });
});
