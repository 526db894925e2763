/**
 * Out-of-order deliveries over HTTP, through the processor and the DynamoDB store (embedded): SNS and SQS keep no
 * order across batches, so a late, older state change must not reopen (and page) what a newer one resolved, and
 * an incident opened and resolved by one batch reads opened, then resolved. A source clock in the year 2100 must
 * not become an incident's last-seen time (it would never auto-resolve).
 */
import { loadFixture } from '../support/fixtures';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';
import { pagesByIncident, pagingConfig } from './harness';

const alarmMessage = (state: 'ALARM' | 'OK', at: string) => {
  const msg = JSON.parse((loadFixture('cloudwatch', 'sns-https-metric-alarm') as { Message: string }).Message);
  return { ...msg, NewStateValue: state, StateChangeTime: at };
};

const amAlert = (status: 'firing' | 'resolved', startsAt: string, endsAt = '0001-01-01T00:00:00Z') => ({
  status,
  labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical', instance: '10.0.3.17:8080' },
  annotations: { summary: 'checkout 5xx ratio above 2%' },
  startsAt,
  endsAt,
  generatorURL: 'https://prometheus.example.com/graph',
  fingerprint: '3f9a1c0de4b27781',
});
const amBody = (...alerts: unknown[]) => ({
  version: '4', groupKey: '{}:{alertname="HighErrorRate"}', truncatedAlerts: 0, status: 'firing', receiver: 'alert-pipeline',
  groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'https://alertmanager.example.com', alerts,
});

describe('out-of-order state changes over HTTP', () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await startTestRuntime({ config: pagingConfig(), sweepIntervalMs: 0 });
  });
  afterEach(async () => rt.cleanup());

  const incidents = async () => (await rt.get('/api/incidents?limit=100')).body.incidents as Array<{ id: string; status: string; source: string }>;
  const settle = async () => {
    await rt.drain();
    await rt.escalations?.idle();
  };

  it('CloudWatch: ALARM(t), OK(t+10 s), then a late ALARM(t+5 s) opens nothing and pages nobody', async () => {
    for (const [state, at] of [['ALARM', '2024-06-10T14:00:00.000+0000'], ['OK', '2024-06-10T14:00:10.000+0000'], ['ALARM', '2024-06-10T14:00:05.000+0000']] as const) {
      expect((await rt.post(`/local/alarm-topic/${rt.ingestToken}`, alarmMessage(state, at))).status).toBe(200);
      await settle();
    }
    const list = await incidents();
    expect(list.map((i) => i.status)).toEqual(['resolved']);
    expect([...pagesByIncident(rt)]).toEqual([[list[0]!.id, 1]]);
  });

  it('Events v2: a late trigger older than the resolve of its dedup key opens nothing', async () => {
    const trigger = loadFixture('events-v2', 'trigger') as { payload: Record<string, unknown> };
    const at = (ts: string) => ({ ...trigger, routing_key: rt.ingestToken, payload: { ...trigger.payload, timestamp: ts } });
    expect((await rt.post('/ingest/events/v2', at('2024-06-10T14:00:00.000Z'))).status).toBe(202);
    await settle();
    // The resolve carries no timestamp: its time is when the pipeline received it (now, long after both triggers).
    expect((await rt.post('/ingest/events/v2', { ...(loadFixture('events-v2', 'resolve') as object), routing_key: rt.ingestToken })).status).toBe(202);
    await settle();
    expect((await rt.post('/ingest/events/v2', at('2024-06-10T14:00:05.000Z'))).status).toBe(202);
    await settle();
    const list = await incidents();
    expect(list.map((i) => i.status)).toEqual(['resolved']);
    expect([...pagesByIncident(rt)]).toEqual([[list[0]!.id, 1]]);
  });

  it('Alertmanager: a late firing older than the resolved opens nothing', async () => {
    expect((await rt.post(`/ingest/alertmanager/${rt.ingestToken}`, amBody(amAlert('firing', '2024-06-10T14:00:00Z')))).status).toBe(200);
    await settle();
    expect((await rt.post(`/ingest/alertmanager/${rt.ingestToken}`, amBody(amAlert('resolved', '2024-06-10T14:00:00Z', '2024-06-10T14:00:10Z')))).status).toBe(200);
    await settle();
    expect((await rt.post(`/ingest/alertmanager/${rt.ingestToken}`, amBody(amAlert('firing', '2024-06-10T14:00:05Z')))).status).toBe(200);
    await settle();
    const list = await incidents();
    expect(list.map((i) => i.status)).toEqual(['resolved']);
    expect([...pagesByIncident(rt)]).toEqual([[list[0]!.id, 1]]);
  });

  it('an incident opened and resolved by one batch lists opened before resolved', async () => {
    // One body, so one queue message and one batch: the firing and its resolve share the processing instant.
    const body = amBody(amAlert('firing', '2024-06-10T14:00:00Z'), { ...amAlert('resolved', '2024-06-10T14:00:00Z', '2024-06-10T14:00:10Z'), fingerprint: '3f9a1c0de4b27781' });
    for (let i = 0; i < 6; i++) {
      const fingerprint = `3f9a1c0de4b2778${i}`;
      const alerts = body.alerts.map((a) => ({ ...(a as object), fingerprint }));
      expect((await rt.post(`/ingest/alertmanager/${rt.ingestToken}`, { ...body, alerts })).status).toBe(200);
    }
    await settle();
    const list = await incidents();
    expect(list).toHaveLength(6);
    for (const inc of list) {
      const detail = (await rt.get(`/api/incidents/${inc.id}`)).body as { incident: { status: string; openedAt: string; resolvedAt: string }; timeline: Array<{ type: string }> };
      expect(detail.incident.resolvedAt).toBe(detail.incident.openedAt);
      expect(detail.timeline.map((t) => t.type)).toEqual(['opened', 'resolved']);
    }
    expect(pagesByIncident(rt).size).toBe(0);
  });
});

describe('a source time far in the future, over HTTP', () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await startTestRuntime({ config: pagingConfig(), sweepIntervalMs: 0 });
  });
  afterEach(async () => rt.cleanup());

  it('a Threat Stack created_at in the year 2100 is replaced by the receive time, with the skew in the trace', async () => {
    const alert = { ...(loadFixture('threatstack', 'bare-alert') as object), id: 'future-000001', created_at: Date.parse('2100-01-01T00:00:00.000Z') };
    const before = Date.now();
    expect((await rt.post(`/ingest/threatstack/${rt.ingestToken}`, alert)).status).toBe(200);
    await rt.drain();
    const [inc] = (await rt.get('/api/incidents')).body.incidents as Array<{ id: string; lastSeenAt: string }>;
    expect(Date.parse(inc!.lastSeenAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(inc!.lastSeenAt)).toBeLessThanOrEqual(Date.now());
    const detail = (await rt.get(`/api/incidents/${inc!.id}`)).body as { alerts: Array<{ occurredAt: string; receivedAt: string; trace: { steps: Array<Record<string, any>> } }> };
    expect(detail.alerts[0]!.occurredAt).toBe(detail.alerts[0]!.receivedAt);
    expect(detail.alerts[0]!.trace.steps[0]).toMatchObject({ stage: 'normalize', outcome: 'clamped', data: { sourceTime: '2100-01-01T00:00:00.000Z', maxFutureSkewSeconds: 300 } });
  });
});
