/**
 * End to end over HTTP against the local runtime: the same handlers, embedded DynamoDB, durable queue.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';

const fixture = (source: string, name: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'events', source, `${name}.json`), 'utf8'));

const alarmMessage = (state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA', at: string) => {
  const envelope = fixture('cloudwatch', 'sns-https-metric-alarm');
  const msg = JSON.parse(envelope.Message);
  return { ...msg, NewStateValue: state, StateChangeTime: at };
};

describe('local runtime end to end', () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await startTestRuntime();
  });
  afterEach(async () => rt.cleanup());

  it('a Threat Stack batch, its retry and a CloudWatch ALARM then OK become incidents visible in the API', async () => {
    const batch = fixture('threatstack', 'batch-host-and-cloudtrail');
    expect((await rt.post(`/ingest/threatstack/${rt.ingestToken}`, batch)).status).toBe(200);
    expect((await rt.post(`/ingest/threatstack/${rt.ingestToken}`, batch)).status).toBe(200); // sender retry
    expect((await rt.post(`/local/alarm-topic/${rt.ingestToken}`, alarmMessage('ALARM', '2024-06-10T14:03:12.345+0000'))).status).toBe(200);
    await rt.drain();
    expect((await rt.post(`/local/alarm-topic/${rt.ingestToken}`, alarmMessage('OK', '2024-06-10T14:20:12.345+0000'))).status).toBe(200);
    await rt.drain();

    const list = await rt.get('/api/incidents');
    expect(list.status).toBe(200);
    const incidents = list.body.incidents as Array<Record<string, any>>;
    expect(incidents).toHaveLength(3);
    const cw = incidents.find((i) => i.source === 'cloudwatch')!;
    expect(cw).toMatchObject({ status: 'resolved', resolvedBy: 'source:cloudwatch', alertCount: 1, severity: 'sev2' });
    expect(cw.description).toContain('https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/checkout-5xx-rate');
    const ts = incidents.filter((i) => i.source === 'threatstack');
    expect(ts.map((i) => i.alertCount)).toEqual([1, 1]); // the retry was counted once
    expect(ts.map((i) => i.severity).sort()).toEqual(['sev1', 'sev1']);

    const detail = await rt.get(`/api/incidents/${cw.id}`);
    // The test config names policy "default" but defines no policies: the timeline says why nobody was paged.
    expect(detail.body.timeline.map((t: any) => t.type)).toEqual(['opened', 'page', 'resolved']);
    expect(detail.body.timeline[1].message).toMatch(/^Not paged: /);
    expect(detail.body.alerts[0].trace.steps.map((s: any) => s.stage)).toEqual(['enrich', 'fingerprint', 'classify', 'route', 'suppress', 'deduplicate']);
    expect(detail.body.incident.recentMessages).toBeUndefined();
  });

  it('counts duplicates into the open incident and opens a new incident after resolve', async () => {
    const base = fixture('threatstack', 'bare-alert');
    for (let i = 0; i < 5; i++) {
      expect((await rt.post(`/ingest/threatstack/${rt.ingestToken}`, { ...base, id: `${base.id}-${i}` })).status).toBe(200);
    }
    await rt.drain();
    let [inc] = (await rt.get('/api/incidents')).body.incidents;
    expect(inc.alertCount).toBe(5);
    expect((await rt.apiPost(`/api/incidents/${inc.id}/resolve`, { by: 'alice', note: 'rolled back' })).status).toBe(200);
    await rt.post(`/ingest/threatstack/${rt.ingestToken}`, { ...base, id: `${base.id}-after` });
    await rt.drain();
    const all = (await rt.get('/api/incidents')).body.incidents;
    expect(all.map((i: any) => [i.seq, i.status, i.alertCount])).toEqual([[2, 'triggered', 1], [1, 'resolved', 5]]);
    inc = all[1];
    expect(inc.resolvedBy).toBe('api-token:alice');
  });

  it('acknowledge, notes and resolve through the API, with conflicts answered 409', async () => {
    await rt.post(`/ingest/threatstack/${rt.ingestToken}`, fixture('threatstack', 'bare-alert'));
    await rt.drain();
    const [inc] = (await rt.get('/api/incidents')).body.incidents;
    expect((await rt.apiPost(`/api/incidents/${inc.id}/acknowledge`)).body.incident.status).toBe('acknowledged');
    const again = await rt.apiPost(`/api/incidents/${inc.id}/acknowledge`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect((await rt.apiPost(`/api/incidents/${inc.id}/notes`, { text: 'investigating', by: 'bob' })).status).toBe(201);
    const bad = await rt.apiPost(`/api/incidents/${inc.id}/notes`, {});
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe('text');
    expect((await rt.apiPost(`/api/incidents/${inc.id}/resolve`)).status).toBe(200);
    const detail = await rt.get(`/api/incidents/${inc.id}`);
    expect(detail.body.timeline.map((t: any) => t.type)).toEqual(['opened', 'page', 'acknowledged', 'note', 'resolved']);
    expect((await rt.apiPost('/api/incidents/inc-00000000000000000000-9/acknowledge')).status).toBe(404);
  });

  it('filters and pages the incident list', async () => {
    for (let i = 0; i < 5; i++) {
      await rt.post(`/ingest/threatstack/${rt.ingestToken}`, { ...fixture('threatstack', 'bare-alert'), id: `id-${i}`, server_or_region: `host-${i}`, severity: i < 2 ? 1 : 3 });
    }
    await rt.drain();
    expect((await rt.get('/api/incidents?severity=sev1')).body.incidents).toHaveLength(2);
    expect((await rt.get('/api/incidents?tag=source:threatstack&status=triggered')).body.incidents).toHaveLength(5);
    const first = await rt.get('/api/incidents?limit=2');
    expect(first.body.incidents).toHaveLength(2);
    const second = await rt.get(`/api/incidents?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.incidents).toHaveLength(2);
    expect(second.body.incidents[0].id).not.toBe(first.body.incidents[0].id);
    const bad = await rt.get('/api/incidents?status=exploded');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe('status');
    expect((await rt.get('/api/incidents?limit=1000')).status).toBe(400);
    expect((await rt.get('/api/incidents?bogus=1')).status).toBe(400);
  });

  it('refuses the API without a valid bearer token and ingestion with a wrong token', async () => {
    expect((await rt.get('/api/incidents', null)).status).toBe(401);
    expect((await rt.get('/api/incidents', 'wrong')).status).toBe(401);
    expect((await rt.post('/ingest/threatstack/wrong-token', fixture('threatstack', 'bare-alert'))).status).toBe(404);
    expect((await rt.post(`/ingest/alertmanager/wrong`, fixture('alertmanager', 'firing-and-resolved'))).status).toBe(404);
    expect((await rt.post('/local/alarm-topic/wrong', {})).status).toBe(404);
    expect((await rt.get('/nowhere')).status).toBe(404);
  });

  it('rejects unsigned SNS deliveries while the signature check is on', async () => {
    const res = await rt.post(`/ingest/cloudwatch/${rt.ingestToken}`, fixture('cloudwatch', 'sns-https-metric-alarm'), { 'content-type': 'text/plain; charset=UTF-8' });
    expect(res.status).toBe(403);
  });

  it('200 concurrent deliveries of one alert over HTTP make one incident, counted once', async () => {
    const one = fixture('threatstack', 'bare-alert');
    const results = await Promise.all(Array.from({ length: 200 }, () => rt.post(`/ingest/threatstack/${rt.ingestToken}`, one)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    await rt.drain();
    const incidents = (await rt.get('/api/incidents')).body.incidents;
    expect(incidents).toHaveLength(1);
    expect(incidents[0].alertCount).toBe(1);
  });
});

describe('local runtime with SNS_SIGNATURE_CHECK=off', () => {
  it('accepts unsigned SNS deliveries on the HTTPS endpoint', async () => {
    const rt = await startTestRuntime({ snsSignatureCheck: false });
    try {
      const res = await rt.post(`/ingest/cloudwatch/${rt.ingestToken}`, fixture('cloudwatch', 'sns-https-metric-alarm'), { 'content-type': 'text/plain; charset=UTF-8' });
      expect(res.status).toBe(200);
      await rt.drain();
      expect((await rt.get('/api/incidents')).body.incidents).toHaveLength(1);
    } finally {
      await rt.cleanup();
    }
  });
});
