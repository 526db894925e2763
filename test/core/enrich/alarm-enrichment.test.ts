/**
 * Stage "enrich": CloudWatch alarm tags and description reach the rules as `alarm`, one lookup per distinct alarm of a
 * batch; a failed lookup never holds an alert back and its trace says why.
 */
import { parsePipelineConfig } from '../../../lambdas/core/config/parse-pipeline-config';
import { compileRules } from '../../../lambdas/core/rules/compile';
import { alarmEnricher, alarmIdentityOf } from '../../../lambdas/core/enrich/alarm-enrichment';
import { evaluateAlert, processEnvelopes, type ProcessDeps } from '../../../lambdas/core/pipeline';
import type { AlarmDetails, AlarmInfo } from '../../../lambdas/core/ports';
import { InMemoryIncidentStore } from '../../../lambdas/adapters/in-memory/incident-store';
import { alert, envelope, NOW_MS } from '../../support/builders';

const ARN = 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:checkout-5xx-rate';
const cloudwatchAlert = (over: Parameters<typeof alert>[0] = {}) =>
  alert({ identity: [['AlarmArn', ARN]], fp: `cw:${ARN}`, raw: { AlarmName: 'checkout-5xx-rate', AlarmDescription: 'from the message' }, ...over });

const config = parsePipelineConfig({
  version: 1,
  teams: [{ name: 'platform' }, { name: 'payments' }],
  services: [{ name: 'platform', team: 'platform' }, { name: 'payments', team: 'payments' }],
  routing: { default: { service: 'platform' } },
  rules: {
    routing: [{ name: 'payments-alarms', when: 'alarm.tags.team == "payments"', route: { service: 'payments' } }],
    tagging: [{ name: 'runbook', when: '"runbook" in alarm.tags', tags: { runbook: { expr: 'alarm.tags.runbook' } } }],
  },
});
const rules = compileRules(config);

function fakeDetails(answers: Record<string, AlarmInfo | Error>): AlarmDetails & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async describe(arn) {
      calls.push(arn);
      const a = answers[arn];
      if (a === undefined) throw new Error(`no such alarm ${arn}`);
      if (a instanceof Error) throw a;
      return a;
    },
    async states() {
      return [];
    },
    apiCalls: () => calls.length,
  };
}

describe('alarm enrichment before the rules', () => {
  it('a routing rule on alarm.tags.team routes the alarm to the payments service, and the trace shows the tags', async () => {
    const details = fakeDetails({ [ARN]: { tags: { team: 'payments', runbook: 'https://runbooks/checkout' }, description: 'Checkout 5xx over 1 %' } });
    const enrich = await alarmEnricher([cloudwatchAlert()], details);
    const { alert: enriched, step } = enrich(cloudwatchAlert());
    expect(enriched.alarm).toEqual({
      arn: ARN, name: 'checkout-5xx-rate', region: 'eu-west-1', account: '111122223333',
      tags: { team: 'payments', runbook: 'https://runbooks/checkout' }, description: 'Checkout 5xx over 1 %', enriched: true,
    });
    expect(step).toMatchObject({ stage: 'enrich', outcome: 'enriched' });
    expect(step!.reason).toContain('team=payments');
    const e = evaluateAlert(enriched, rules, NOW_MS);
    expect(e.route).toMatchObject({ service: 'payments', team: 'payments', rule: 'payments-alarms' });
    expect(e.tags.runbook).toBe('https://runbooks/checkout');
  });

  it('without the tag the default route applies; another source sees an empty alarm', async () => {
    const details = fakeDetails({ [ARN]: { tags: { team: 'platform' }, description: '' } });
    const enrich = await alarmEnricher([cloudwatchAlert()], details);
    const enriched = enrich(cloudwatchAlert()).alert;
    expect(enriched.alarm!.description).toBe('from the message'); // CloudWatch had none: the message's
    expect(evaluateAlert(enriched, rules, NOW_MS).route.service).toBe('platform');
    const ts = alert({ source: 'threatstack', identity: [['id', 'x']], fp: 'ts:x' });
    const plain = enrich(ts);
    expect(plain).toEqual({ alert: ts, step: null });
    expect(evaluateAlert(ts, rules, NOW_MS).route.service).toBe('platform');
  });

  it('looks each distinct alarm up once per batch', async () => {
    const other = 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:other';
    const details = fakeDetails({ [ARN]: { tags: {}, description: '' }, [other]: { tags: {}, description: '' } });
    const batch = [...Array.from({ length: 50 }, () => cloudwatchAlert()), cloudwatchAlert({ identity: [['AlarmArn', other]] })];
    await alarmEnricher(batch, details);
    expect(details.calls.sort()).toEqual([ARN, other]);
  });

  it('a failed lookup lets the alert go on, routed without tags, and the trace says enrichment failed and why', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: cloudwatch:ListTagsForResource'), { name: 'AccessDenied' });
    const enrich = await alarmEnricher([cloudwatchAlert()], fakeDetails({ [ARN]: denied }));
    const { alert: enriched, step } = enrich(cloudwatchAlert());
    expect(enriched.alarm).toMatchObject({ tags: {}, enriched: false, description: 'from the message' });
    expect(step).toMatchObject({ stage: 'enrich', outcome: 'failed', data: { arn: ARN, error: 'AccessDenied: User is not authorized to perform: cloudwatch:ListTagsForResource' } });
    expect(step!.reason).toMatch(/^enrichment failed: .*AccessDenied.*the alert goes on/);
    expect(evaluateAlert(enriched, rules, NOW_MS).route.service).toBe('platform');
  });

  it('processEnvelopes opens the incident on the payments service even when one alarm cannot be enriched', async () => {
    const broken = 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:broken';
    const details = fakeDetails({ [ARN]: { tags: { team: 'payments' }, description: '' }, [broken]: new Error('Rate exceeded') });
    const store = new InMemoryIncidentStore();
    let t = NOW_MS;
    const deps: ProcessDeps = {
      store, rules, alarmDetails: details,
      escalator: { start: async () => {}, stop: async () => {} },
      clock: { now: () => new Date((t += 1)) }, sleep: async () => {}, random: () => 0.5, log: () => {},
    };
    const a = cloudwatchAlert();
    const b = cloudwatchAlert({ identity: [['AlarmArn', broken]], fp: `cw:${broken}` });
    const result = await processEnvelopes([{ recordId: 'r1', envelope: envelope([a]) }, { recordId: 'r2', envelope: envelope([b]) }], deps);
    expect(result.failedRecordIds).toEqual([]);
    const byArn = Object.fromEntries(result.opened.map((i) => [i.fingerprint, i.route.service]));
    expect(Object.values(byArn).sort()).toEqual(['payments', 'platform']);
    const failed = result.outcomes.find((o) => o.trace.some((s) => s.stage === 'enrich' && s.outcome === 'failed'));
    expect(failed?.trace[0]).toMatchObject({ stage: 'enrich', outcome: 'failed', data: { error: 'Rate exceeded' } });
  });

  it('enrichment off (null) is traced, and rules see no tags', async () => {
    const enrich = await alarmEnricher([cloudwatchAlert()], null);
    const { alert: a, step } = enrich(cloudwatchAlert());
    expect(step).toMatchObject({ stage: 'enrich', outcome: 'off' });
    expect(evaluateAlert(a, rules, NOW_MS).route.service).toBe('platform');
  });
});

describe('the stand-in lookup of cloudwatchAlarms.local', () => {
  it('by ARN, else by name, else the longest matching "<prefix>*" key; an unlisted alarm has no tags', async () => {
    const { localAlarmInfo } = await import('../../../lambdas/core/enrich/alarm-enrichment');
    const local = {
      [ARN]: { tags: { by: 'arn' } },
      'checkout-5xx-rate': { tags: { by: 'name' } },
      'checkout-*': { tags: { by: 'short prefix' } },
      'checkout-latency-*': { tags: { by: 'long prefix' } },
    };
    const arn = (name: string) => `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${name}`;
    expect(localAlarmInfo(local, ARN).tags).toEqual({ by: 'arn' });
    expect(localAlarmInfo(local, arn('checkout-5xx-rate').replace('111122223333', '999988887777')).tags).toEqual({ by: 'name' });
    expect(localAlarmInfo(local, arn('checkout-latency-p99')).tags).toEqual({ by: 'long prefix' });
    expect(localAlarmInfo(local, arn('checkout-errors')).tags).toEqual({ by: 'short prefix' });
    expect(localAlarmInfo(local, arn('orders-age'))).toEqual({ tags: {}, description: '' });
  });
});

describe('the description the alarm message carried, when CloudWatch gives none', () => {
  it.each(['sns-https-metric-alarm', 'eventbridge-metric-alarm', 'alarm-lambda-metric'])('%s', async (fixture) => {
    const { loadExpected } = await import('../../support/fixtures');
    const [a] = loadExpected('cloudwatch', fixture);
    const enrich = await alarmEnricher([a!], fakeDetails({ [alarmIdentityOf(a!)!.arn]: { tags: {}, description: '' } }));
    expect(enrich(a!).alert.alarm!.description).not.toBe('');
  });
});
