/** The sweeper resolves open CloudWatch incidents whose alarm is OK in CloudWatch when the OK message never came. */
import { parsePipelineConfig } from '../../../lambdas/core/config/parse-pipeline-config';
import { processEnvelopes, type ProcessDeps } from '../../../lambdas/core/pipeline';
import { sweep } from '../../../lambdas/core/sweep';
import { alarmOfConsoleUrl, cloudWatchAlarmUrl } from '../../../lambdas/core/normalize/cloudwatch';
import type { AlarmDetails, AlarmRef, AlarmStateReading } from '../../../lambdas/core/ports';
import type { Incident } from '../../../lambdas/core/model/incident';
import { InMemoryIncidentStore } from '../../../lambdas/adapters/in-memory/incident-store';
import { alert, envelope, rules } from '../../support/builders';

const config = parsePipelineConfig({
  version: 1,
  teams: [{ name: 'platform' }],
  services: [{ name: 'platform', team: 'platform' }],
  routing: { default: { service: 'platform' } },
});
const arnOf = (name: string, account = '111122223333') => `arn:aws:cloudwatch:eu-west-1:${account}:alarm:${name}`;
const ALARM_AT = '2024-06-10T14:00:00.000Z';

function fakeAlarms(readings: (refs: readonly AlarmRef[]) => AlarmStateReading[] | Error): AlarmDetails & { asked: AlarmRef[][] } {
  const asked: AlarmRef[][] = [];
  return {
    asked,
    async describe() {
      return { tags: {}, description: '' };
    },
    async states(refs) {
      asked.push([...refs]);
      const r = readings(refs);
      if (r instanceof Error) throw r;
      return r;
    },
    apiCalls: () => asked.length,
  };
}

async function setup(names: string[], at = ALARM_AT) {
  const store = new InMemoryIncidentStore();
  let nowMs = Date.parse('2024-06-10T14:01:00.000Z');
  const stopped: string[] = [];
  const escalator = { start: async () => {}, stop: async (i: Incident, reason: string) => void stopped.push(`${i.id}:${reason}`) };
  const clock = { now: () => new Date(nowMs) };
  const deps: ProcessDeps = { store, rules, escalator, clock, sleep: async () => {}, random: () => 0.5, log: () => {} };
  const alarmAlert = (name: string, action: 'trigger' | 'resolve', occurredAt: string) => alert({
    key: `cw:${arnOf(name)}|${occurredAt}|${action}`, identity: [['AlarmArn', arnOf(name)]], fp: `cw:${arnOf(name)}`, action, at: occurredAt,
    alertUrl: cloudWatchAlarmUrl('eu-west-1', name), title: `ALARM: ${name}`,
  });
  await processEnvelopes(names.map((n, i) => ({ recordId: `r${i}`, envelope: envelope([alarmAlert(n, 'trigger', at)]) })), deps);
  return {
    store, stopped, deps, alarmAlert,
    advance: (minutes: number) => void (nowMs += minutes * 60_000),
    sweepWith: (alarms: AlarmDetails) => sweep({ config, store, escalator, clock, alarms }),
    incident: async (name: string) => (await store.listIncidents({ limit: 100 })).items.find((i) => i.title.endsWith(name))!,
  };
}

const ok = (name: string, at = '2024-06-10T14:03:00.000Z', account?: string): AlarmStateReading =>
  ({ region: 'eu-west-1', name, arn: arnOf(name, account), state: 'OK', stateUpdatedAt: at });

describe('alarm reconciliation by the sweeper', () => {
  it('resolves an open incident whose alarm is OK since after its ALARM, with a timeline entry saying why', async () => {
    const t = await setup(['checkout 5xx:rate']);
    t.advance(10);
    const alarms = fakeAlarms((refs) => refs.map((r) => ok(r.name)));
    const result = await t.sweepWith(alarms);
    const inc = await t.incident('checkout 5xx:rate');
    expect(result.alarmsReconciled).toEqual([inc.id]);
    expect(result.errors).toEqual([]);
    expect(alarms.asked).toEqual([[{ region: 'eu-west-1', name: 'checkout 5xx:rate' }]]);
    expect(inc).toMatchObject({ status: 'resolved', resolvedBy: 'pipeline:reconcile', lastStateChangeAt: '2024-06-10T14:03:00.000Z' });
    const entry = (await t.store.timeline(inc.id)).find((e) => e.type === 'resolved')!;
    expect(entry.actor).toBe('pipeline:reconcile');
    expect(entry.message).toBe('Resolved: CloudWatch says alarm checkout 5xx:rate has been OK since 2024-06-10T14:03:00.000Z (DescribeAlarms), but its OK message never arrived');
    expect(t.stopped).toEqual([`${inc.id}:alarm OK (reconciled)`]);
    // The OK message arriving late afterwards changes nothing and fails nothing.
    const late = await processEnvelopes([{ recordId: 'late', envelope: envelope([t.alarmAlert('checkout 5xx:rate', 'resolve', '2024-06-10T14:03:00.000Z')]) }], t.deps);
    expect(late.failedRecordIds).toEqual([]);
    expect(late.opened).toEqual([]);
    expect((await t.incident('checkout 5xx:rate')).status).toBe('resolved');
    // A second sweep has nothing left to do.
    expect((await t.sweepWith(alarms)).alarmsReconciled).toEqual([]);
  });

  it.each([
    ['the alarm is still in ALARM', () => ({ ...ok('a'), state: 'ALARM' })],
    ['the OK is older than the incident\'s ALARM (a flap, or a stale read)', () => ok('a', '2024-06-10T13:59:00.000Z')],
    ['the OK is of a same-named alarm of another account', () => ok('a', undefined, '999988887777')],
    ['CloudWatch does not know the alarm', () => null],
  ])('leaves the incident open when %s', async (_what, reading) => {
    const t = await setup(['a']);
    t.advance(10);
    const r = reading();
    const result = await t.sweepWith(fakeAlarms(() => (r ? [r] : [])));
    expect(result.alarmsReconciled).toEqual([]);
    expect((await t.incident('a')).status).toBe('triggered');
  });

  it('gives the OK message afterMinutes (5) first: no DescribeAlarms before', async () => {
    const t = await setup(['a']);
    t.advance(8); // 14:09, 4 min after the ALARM was received (14:05)
    const alarms = fakeAlarms((refs) => refs.map((r) => ok(r.name)));
    expect((await t.sweepWith(alarms)).alarmsReconciled).toEqual([]);
    expect(alarms.asked).toEqual([]);
    t.advance(1);
    expect((await t.sweepWith(alarms)).alarmsReconciled).toHaveLength(1);
  });

  it('looks at most maxPerSweep incidents a sweep, and a CloudWatch failure is an error of the sweep, nothing resolved', async () => {
    const names = Array.from({ length: 250 }, (_, i) => `alarm-${i}`);
    const t = await setup(names);
    t.advance(10);
    const failing = fakeAlarms(() => new Error('Rate exceeded'));
    const failed = await t.sweepWith(failing);
    expect(failed.errors).toEqual(['alarm reconciliation: Rate exceeded']);
    expect(failing.asked[0]).toHaveLength(200);
    const alarms = fakeAlarms((refs) => refs.map((r) => ok(r.name)));
    expect((await t.sweepWith(alarms)).alarmsReconciled).toHaveLength(200);
    expect((await t.sweepWith(alarms)).alarmsReconciled).toHaveLength(50);
  });

  it('alarmOfConsoleUrl reads back the alarm of the console link', () => {
    expect(alarmOfConsoleUrl(cloudWatchAlarmUrl('us-east-1', 'a b:c/d%'))).toEqual({ region: 'us-east-1', name: 'a b:c/d%' });
    expect(alarmOfConsoleUrl('https://app.threatstack.com/alerts/1')).toBeNull();
  });
});

describe('alarm reconciliation and maintenance windows', () => {
  it('resolves an incident a maintenance window holds whose alarm went OK, so the end of the window pages nothing', async () => {
    const windowed = parsePipelineConfig({
      version: 1,
      teams: [{ name: 'platform' }],
      services: [{ name: 'platform', team: 'platform' }],
      routing: { default: { service: 'platform' } },
      maintenance: [{ name: 'patching', services: ['platform'], start: '2024-06-10T13:00:00Z', end: '2024-06-10T15:00:00Z' }],
    });
    const { compileRules } = await import('../../../lambdas/core/rules/compile');
    const store = new InMemoryIncidentStore();
    let nowMs = Date.parse('2024-06-10T14:01:00.000Z');
    const clock = { now: () => new Date(nowMs) };
    const started: string[] = [];
    const escalator = { start: async (i: Incident) => void started.push(i.id), stop: async () => {} };
    const name = 'nightly-batch-age';
    await processEnvelopes([{ recordId: 'r', envelope: envelope([alert({
      key: 'k1', identity: [['AlarmArn', arnOf(name)]], fp: `cw:${arnOf(name)}`, at: ALARM_AT, alertUrl: cloudWatchAlarmUrl('eu-west-1', name), title: `ALARM: ${name}`,
    })]) }], { store, rules: compileRules(windowed), escalator, clock, sleep: async () => {}, random: () => 0.5, log: () => {} });
    const [held] = (await store.listIncidents({ limit: 10 })).items;
    expect(held).toMatchObject({ status: 'suppressed', suppressedUntil: '2024-06-10T15:00:00.000Z' });
    nowMs = Date.parse('2024-06-10T15:01:00.000Z'); // the window has ended
    const result = await sweep({ config: windowed, store, escalator, clock, alarms: fakeAlarms((refs) => refs.map((r) => ok(r.name))) });
    expect(result).toMatchObject({ alarmsReconciled: [held!.id], maintenanceEnded: [] });
    expect(await store.getIncident(held!.id)).toMatchObject({ status: 'resolved', resolvedBy: 'pipeline:reconcile' });
    expect(started).toEqual([]);
  });
});
