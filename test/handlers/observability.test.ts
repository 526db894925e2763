/**
 * The handlers publish the pipeline's metrics through the MetricsSink port, as CloudWatch embedded metric format
 * (EMF) lines written once per invocation (never PutMetricData per alert), and every log line of an invocation
 * carries the Lambda context. The EMF lines are captured from stdout, where Powertools Metrics writes them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context, SQSEvent } from 'aws-lambda';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EmfMetricsSink } from '../../lambdas/adapters/metrics/emf-metrics';
import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { InMemoryOperationsStore } from '../../lambdas/adapters/in-memory/operations-store';
import { StaticIntegrationSecrets } from '../../lambdas/adapters/secrets/integration-secrets';
import { SnsMessageVerifier } from '../../lambdas/adapters/sns/sns-message-verifier';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { planIncidentChanges } from '../../lambdas/core/deduplicate';
import { planEscalation } from '../../lambdas/core/escalation/plan';
import { createEscalationStepHandler } from '../../lambdas/handlers/escalation-step';
import { createIngestHttpHandler } from '../../lambdas/handlers/ingest-http';
import { createProcessAlertsHandler } from '../../lambdas/handlers/process-alerts';
import type { HttpEvent } from '../../lambdas/handlers/shared/http';
import { logger } from '../../lambdas/handlers/shared/logger';
import { alert, envelope, evaluated, NOW, NOW_MS, testConfig } from '../support/builders';

const context = { functionName: 'alert-pipeline-fn', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:alert-pipeline-fn', memoryLimitInMB: '256', awsRequestId: 'req-42', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

type Emf = { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> } } & Record<string, unknown>;

/** Runs `fn` and returns the lines it wrote to stdout: EMF documents and JSON log lines. */
async function stdoutOf(fn: () => Promise<unknown>): Promise<{ emf: Emf[]; logs: Array<Record<string, unknown>> }> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (lines.push(String(chunk)), true));
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  const docs = lines.flatMap((l) => l.split('\n')).filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { emf: docs.filter((d) => '_aws' in d) as Emf[], logs: docs.filter((d) => !('_aws' in d)) };
}

const sink = () => new EmfMetricsSink(new Metrics({ namespace: 'AlertPipeline/Test', serviceName: 'alert-pipeline' }));
const metricNames = (doc: Emf) => doc._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name)).sort();

describe('metrics (EMF) and the Lambda context in the logs', () => {
  afterEach(() => logger.setLogLevel('SILENT'));

  it('the processor writes opened and deduplicated counts in one EMF line per invocation, and logs with the Lambda context', async () => {
    const metrics = sink();
    const handler = createProcessAlertsHandler({
      config: testConfig, store: new InMemoryIncidentStore(), escalator: { start: async () => {}, stop: async () => {} },
      deadLetters: { put: async () => {} }, clock: { now: () => new Date(NOW) }, metrics,
    });
    // 20 alerts of one fingerprint: 1 incident opened, 19 joined it.
    const alerts = Array.from({ length: 20 }, (_, i) => alert({ key: `k-${i}` }));
    const event = { Records: [{ messageId: 'm-1', body: JSON.stringify(envelope(alerts)) }] } as unknown as SQSEvent;
    logger.setLogLevel('INFO');
    const out = await stdoutOf(() => handler(event, context));
    expect(out.emf).toHaveLength(1);
    const [doc] = out.emf;
    expect(doc!._aws.CloudWatchMetrics[0]!.Namespace).toBe('AlertPipeline/Test');
    expect(doc).toMatchObject({ service: 'alert-pipeline', IncidentsOpened: 1, AlertsDeduplicated: 19 });
    expect(metricNames(doc!)).toEqual(['AlertsDeduplicated', 'IncidentsOpened']);
    // Every log line of the invocation carries the Lambda context.
    expect(out.logs.length).toBeGreaterThan(0);
    for (const line of out.logs) expect(line).toMatchObject({ function_name: 'alert-pipeline-fn', function_request_id: 'req-42', cold_start: expect.any(Boolean) });
  });

  it('ingest counts accepted alerts and rejected deliveries per source', async () => {
    const metrics = sink();
    const token = 'a'.repeat(32);
    const handler = createIngestHttpHandler({
      config: testConfig, archive: { put: async () => {} }, queue: { send: async () => {} }, integrationSecrets: new StaticIntegrationSecrets(() => ({ default: { token } })),
      sns: new SnsMessageVerifier({ allowedTopicArns: [] }), clock: { now: () => new Date(NOW) }, newRequestId: () => 'r', metrics,
    });
    const call = (body: string, t = token) => handler({
      version: '2.0', routeKey: 'POST /ingest/threatstack/{token}', rawPath: '/', rawQueryString: '', headers: {}, body, isBase64Encoded: false, pathParameters: { token: t },
      requestContext: { requestId: 'req-1', http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '198.51.100.1', userAgent: 'test' } },
    } as unknown as HttpEvent, context);
    const body = readFileSync(join(__dirname, '..', 'fixtures', 'events', 'threatstack', 'batch-host-and-cloudtrail.json'), 'utf8'); // 2 alerts
    let answer: unknown;
    const accepted = await stdoutOf(async () => (answer = await call(body)));
    expect(answer).toMatchObject({ statusCode: 200 });
    const rejected = await stdoutOf(() => call('{"not": "threat stack"'));
    const unknownToken = await stdoutOf(() => call(body, 'b'.repeat(32)));
    // A series: the documents whose dimension sets include [service] (the total) or [service, <dim>] for that value.
    const sets = (d: Emf) => d._aws.CloudWatchMetrics[0]!.Dimensions.map((x) => x.join(','));
    const value = (docs: Emf[], name: string, dim?: [string, string]) =>
      docs.filter((d) => (dim ? d[dim[0]] === dim[1] && sets(d).includes(`service,${dim[0]}`) : sets(d).includes('service'))).map((d) => d[name]).find((v) => v !== undefined);
    expect(accepted.emf).toHaveLength(1); // one source: the total and the per-source series in one line
    expect(value(accepted.emf, 'AlertsAccepted')).toBe(2);
    expect(value(accepted.emf, 'AlertsAccepted', ['source', 'threatstack'])).toBe(2);
    expect(value(rejected.emf, 'DeliveriesRejected', ['source', 'threatstack'])).toBe(1);
    expect(value(unknownToken.emf, 'DeliveriesRejected')).toBe(1);
  });

  it('the Page step writes pages, time to page and notification failures per channel', async () => {
    const config = parsePipelineConfig({
      version: 1,
      people: [{ name: 'alice', contacts: [{ type: 'email', address: 'alice@example.com' }] }],
      teams: [{ name: 'platform' }],
      services: [{ name: 'platform', team: 'platform' }],
      channels: [{ name: 'ops-slack', type: 'slack', secret: 'ops-slack' }],
      escalationPolicies: [{ name: 'one', levels: [{ targets: [{ person: 'alice' }, { channel: 'ops-slack' }], escalateAfterMinutes: 10 }] }],
      routing: { default: { service: 'platform', escalationPolicy: 'one' } },
    });
    const store = new InMemoryIncidentStore();
    const created = planIncidentChanges(null, [evaluated(alert({ key: 'k-1', fp: 'fp-1' }))], NOW, NOW_MS);
    const incident = { ...created.creates[0]!, route: { ...created.creates[0]!.route, escalationPolicy: 'one' } };
    await store.applyPlan({ ...created, creates: [incident] });
    const metrics = sink();
    const pagedAt = new Date(NOW_MS + 1500);
    const handler = createEscalationStepHandler(async () => ({
      config, store, ops: new InMemoryOperationsStore(), clock: { now: () => pagedAt },
      // Slack answers 400 (not retryable); email is sent.
      sender: { send: async (d) => (d.channel ? { ok: false, status: 400, error: 'invalid_blocks' } : { ok: true }) },
      sleep: async () => {}, random: () => 0.5, newNonce: () => 'n', publicBaseUrl: 'https://example.test', actionLinkKey: 'k'.repeat(32), metrics,
    }), { metrics });
    const plan = planEscalation(config, incident, 0, NOW).plan!;
    const out = await stdoutOf(() => handler({ incidentId: incident.id, plan, step: 0, waitSeconds: 0, done: false }, context));
    const totals = out.emf.find((d) => !('channel' in d))!;
    expect(totals).toMatchObject({ Pages: 1, TimeToPage: NOW_MS + 1500 - Date.parse(incident.openedAt), NotificationsSent: 1, NotificationFailures: 1 });
    expect(out.emf.find((d) => d.channel === 'ops-slack')).toMatchObject({ NotificationFailures: 1 });
    expect(out.emf.find((d) => d.channel === 'ops-slack')!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'channel']]);
    expect(out.emf.find((d) => d.channel === 'email')).toMatchObject({ NotificationsSent: 1 });
    expect(out.emf).toHaveLength(3); // totals, ops-slack, email: written once, at the end of the invocation
  });
});
