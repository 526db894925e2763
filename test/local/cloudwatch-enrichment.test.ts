/**
 * CloudWatch alarm enrichment end to end over HTTP against the local runtime: an SNS-delivered alarm is routed by
 * its alarm's tag (from the config's stand-in, `cloudwatchAlarms.local`), a failed enrichment still opens the
 * incident with the failure in its trace, and the sweeper resolves an incident whose alarm the stand-in says is OK.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import type { AlarmDetails } from '../../lambdas/core/ports';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';

const snsEnvelope = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'events', 'cloudwatch', 'sns-https-metric-alarm.json'), 'utf8'));
const ARN = 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:checkout-5xx-rate';

const configWith = (local: Record<string, unknown>, reconcile: Record<string, unknown> = {}) => parsePipelineConfig({
  version: 1,
  teams: [{ name: 'platform' }, { name: 'payments' }],
  services: [{ name: 'platform', team: 'platform' }, { name: 'payments', team: 'payments' }],
  routing: { default: { service: 'platform' } },
  rules: { routing: [{ name: 'payments-team-alarms', when: 'alarm.tags.team == "payments"', route: { service: 'payments' } }] },
  cloudwatchAlarms: { local, reconcile },
});

async function sendAlarm(rt: TestRuntime): Promise<Record<string, any>> {
  const res = await rt.post(`/ingest/cloudwatch/${rt.ingestToken}`, snsEnvelope, { 'content-type': 'text/plain; charset=UTF-8' });
  expect(res.status).toBe(200);
  await rt.drain();
  const [incident] = (await rt.get('/api/incidents')).body.incidents;
  return (await rt.get(`/api/incidents/${incident.id}`)).body;
}

describe('CloudWatch alarm enrichment in the local runtime', () => {
  let rt: TestRuntime | undefined;
  afterEach(async () => {
    await rt?.cleanup();
    rt = undefined;
  });

  it('routes an SNS-delivered alarm to the payments service by its team tag, the trace showing the tags', async () => {
    rt = await startTestRuntime({
      config: configWith({ 'checkout-5xx-rate': { tags: { team: 'payments', runbook: 'https://runbooks.example/checkout' }, description: 'Checkout 5xx' } }),
      snsSignatureCheck: false, sweepIntervalMs: 0,
    });
    const detail = await sendAlarm(rt);
    expect(detail.incident.route).toMatchObject({ service: 'payments', team: 'payments', rule: 'payments-team-alarms' });
    // After the integration's `normalize` step (the alarm topic is the `default` integration).
    const steps = detail.alerts[0].trace.steps.filter((s: any) => s.stage !== 'normalize');
    expect(steps.map((s: any) => s.stage)).toEqual(['enrich', 'fingerprint', 'classify', 'route', 'suppress', 'deduplicate']);
    expect(steps[0]).toMatchObject({ outcome: 'enriched', data: { arn: ARN, tags: { team: 'payments', runbook: 'https://runbooks.example/checkout' } } });
    expect(steps[3]).toMatchObject({ stage: 'route', outcome: 'matched', data: { rule: 'payments-team-alarms', service: 'payments' } });
    expect(rt.alarmDetails.apiCalls()).toBe(1);
  });

  it('an alarm keyed by ARN works the same; an unlisted alarm has no tags and takes the default route', async () => {
    rt = await startTestRuntime({ config: configWith({ [ARN.replace('checkout-5xx-rate', 'other')]: { tags: { team: 'payments' } } }), snsSignatureCheck: false, sweepIntervalMs: 0 });
    const detail = await sendAlarm(rt);
    expect(detail.incident.route.service).toBe('platform');
    expect(detail.alerts[0].trace.steps.find((s: any) => s.stage === 'enrich')).toMatchObject({ stage: 'enrich', outcome: 'enriched', reason: 'alarm checkout-5xx-rate: no tags' });
  });

  it('when enrichment fails the incident still opens (default route) and its trace says enrichment failed and why', async () => {
    const failing = (inner: AlarmDetails): AlarmDetails => ({
      ...inner,
      describe: async () => {
        throw Object.assign(new Error('User is not authorized to perform: cloudwatch:ListTagsForResource'), { name: 'AccessDenied' });
      },
      states: (refs) => inner.states(refs),
      apiCalls: () => inner.apiCalls(),
    });
    rt = await startTestRuntime({
      config: configWith({ 'checkout-5xx-rate': { tags: { team: 'payments' } } }), snsSignatureCheck: false, sweepIntervalMs: 0, hooks: { alarmDetails: failing },
    });
    const detail = await sendAlarm(rt);
    expect(detail.incident).toMatchObject({ status: 'triggered', route: { service: 'platform', rule: 'default' } });
    const enrich = detail.alerts[0].trace.steps.find((s: any) => s.stage === 'enrich');
    expect(enrich).toMatchObject({ stage: 'enrich', outcome: 'failed', data: { arn: ARN, error: 'AccessDenied: User is not authorized to perform: cloudwatch:ListTagsForResource' } });
    expect(enrich.reason).toMatch(/^enrichment failed: could not read the tags and description of alarm checkout-5xx-rate \(AccessDenied: .*\); the alert goes on/);
  });

  it('the sweeper resolves an open incident whose alarm the stand-in says is OK, with a timeline entry saying why', async () => {
    rt = await startTestRuntime({
      config: configWith({ [ARN]: { tags: { team: 'payments' }, state: 'OK' } }, { afterMinutes: 0 }), snsSignatureCheck: false, sweepIntervalMs: 0,
    });
    const opened = await sendAlarm(rt);
    expect(opened.incident.status).toBe('triggered');
    const swept = await rt.sweepNow();
    expect(swept.alarmsReconciled).toEqual([opened.incident.id]);
    const after = (await rt.get(`/api/incidents/${opened.incident.id}`)).body;
    expect(after.incident).toMatchObject({ status: 'resolved', resolvedBy: 'pipeline:reconcile' });
    const entry = after.timeline.find((e: any) => e.type === 'resolved');
    expect(entry.actor).toBe('pipeline:reconcile');
    expect(entry.message).toMatch(/^Resolved: CloudWatch says alarm checkout-5xx-rate has been OK since .* \(DescribeAlarms\), but its OK message never arrived$/);
    expect((await rt.sweepNow()).alarmsReconciled).toEqual([]);
  });
});
