/**
 * CloudWatch alarm enrichment under a flaky CloudWatch, end to end against the local runtime: 200 alarm transitions
 * of 20 alarms, 40 % of the lookups throttled and the rest answering after up to 50 ms. Enrichment must never hold an
 * alert back or fail a record: every alarm becomes one incident holding all of its alerts, nothing is dead-lettered,
 * every alert's trace says whether it was enriched or why not, the incident's route follows what its first alert
 * saw, and the per-ARN cache keeps CloudWatch at one lookup per alarm (a failed one is remembered for 60 s).
 */
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import type { AlarmDetails } from '../../lambdas/core/ports';
import { seededRandom } from '../support/faults';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';
import { readIncidents } from './harness';

const ALARMS = 20;
const TRANSITIONS = 10;
const name = (i: number) => `orders-${String(i).padStart(2, '0')}`;

const config = parsePipelineConfig({
  version: 1,
  teams: [{ name: 'platform' }, { name: 'payments' }],
  services: [{ name: 'platform', team: 'platform' }, { name: 'payments', team: 'payments' }],
  routing: { default: { service: 'platform' } },
  rules: { routing: [{ name: 'payments-alarms', when: 'alarm.tags.?team.orValue("") == "payments"', route: { service: 'payments' } }] },
  // Even alarms are tagged team=payments.
  cloudwatchAlarms: { local: Object.fromEntries(Array.from({ length: ALARMS / 2 }, (_, k) => [name(2 * k), { tags: { team: 'payments' } }])) },
  processing: { alertLogLimit: 1000, batchSize: 100, batchWindowSeconds: 1 },
});

function flaky(inner: AlarmDetails, stats: { lookups: number; throttled: number }): AlarmDetails {
  const random = seededRandom(1010);
  return {
    describe: async (arn) => {
      stats.lookups += 1;
      await new Promise((r) => setTimeout(r, Math.floor(random() * 50)));
      if (random() < 0.4) {
        stats.throttled += 1;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      return inner.describe(arn);
    },
    states: (refs) => inner.states(refs),
    apiCalls: () => inner.apiCalls(),
  };
}

const message = (i: number, t: number) => ({
  AlarmName: name(i), AlarmDescription: null, AWSAccountId: '111122223333', NewStateValue: 'ALARM', NewStateReason: 'Threshold Crossed',
  StateChangeTime: new Date(Date.parse('2024-06-10T14:00:00.000Z') + t * 60_000 + i).toISOString().replace('Z', '+0000'),
  Region: 'EU (Ireland)', AlarmArn: `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${name(i)}`, OldStateValue: 'OK',
  Trigger: { MetricName: 'ApproximateAgeOfOldestMessage', Namespace: 'AWS/SQS', Statistic: 'MAXIMUM', Dimensions: [{ name: 'QueueName', value: name(i) }], Period: 60, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', Threshold: 300 },
});

describe('CloudWatch enrichment under a flaky CloudWatch', () => {
  let rt: TestRuntime;
  const stats = { lookups: 0, throttled: 0 };
  beforeAll(async () => {
    rt = await startTestRuntime({ config, sweepIntervalMs: 0, hooks: { alarmDetails: (inner) => flaky(inner, stats) } });
  });
  afterAll(async () => rt.cleanup());

  it('never holds an alert back: one incident per alarm with all its alerts, each trace saying enriched or why not', async () => {
    const sends = Array.from({ length: ALARMS * TRANSITIONS }, (_, k) => ({ i: k % ALARMS, t: Math.floor(k / ALARMS) }));
    for (let k = 0; k < sends.length; k += 20) {
      const statuses = await Promise.all(sends.slice(k, k + 20).map(({ i, t }) => rt.post(`/local/alarm-topic/${rt.ingestToken}`, message(i, t)).then((r) => r.status)));
      expect(new Set(statuses)).toEqual(new Set([200]));
    }
    await rt.drain(60_000);
    expect(rt.deadLetterQueue.size).toBe(0);

    const { incidents, logged } = await readIncidents(rt);
    expect(incidents).toHaveLength(ALARMS);
    expect(incidents.map((i) => i.alertCount)).toEqual(Array(ALARMS).fill(TRANSITIONS));
    expect(new Set(logged).size).toBe(ALARMS * TRANSITIONS);

    let enrichedFirsts = 0;
    for (const inc of incidents) {
      const detail = (await rt.get(`/api/incidents/${inc.id}`)).body;
      const enrichSteps = detail.alerts.map((a: any) => a.trace.steps[0]);
      expect(enrichSteps.every((s: any) => s.stage === 'enrich' && ['enriched', 'failed'].includes(s.outcome))).toBe(true);
      for (const s of enrichSteps.filter((x: any) => x.outcome === 'failed')) expect(s.data.error).toBe('ThrottlingException: Rate exceeded');
      // The incident's route is the one its first alert was given: payments only when that alert saw the tag.
      const first = detail.alerts.find((a: any) => a.deliveryKey === detail.incident.firstAlert.deliveryKey);
      const alarmName = detail.incident.title.replace('ALARM: ', '');
      const tagged = Number(alarmName.slice(-2)) % 2 === 0;
      const sawTag = first.trace.steps[0].outcome === 'enriched' && tagged;
      if (first.trace.steps[0].outcome === 'enriched') enrichedFirsts += 1;
      expect([alarmName, detail.incident.route.service]).toEqual([alarmName, sawTag ? 'payments' : 'platform']);
    }
    expect(enrichedFirsts).toBeGreaterThan(0);
    expect(stats.throttled).toBeGreaterThan(0);
    // One lookup per alarm: answers cached for 300 s, failures for 60 s, concurrent lookups shared.
    expect(stats.lookups).toBe(ALARMS);
  }, 120_000);
});
