/**
 * The console shows what the source actually sent: `GET /api/incidents/{id}/alerts/{alertId}/raw` answers the
 * archived delivery of an alert of the incident, byte for byte as it was POSTed (never re-serialized), read through
 * the archive key of the incident's own alert log (the caller never names a key).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';

const fixtureText = (source: string, name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'events', source, `${name}.json`), 'utf8');

describe('GET /api/incidents/{id}/alerts/{alertId}/raw on the local runtime', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(async () => rt?.cleanup());

  it('answers a Threat Stack batch byte-identical to what was POSTed, with the alert index in the delivery', async () => {
    // The fixture's own formatting (indentation, key order, trailing newline) plus characters JSON could escape
    // differently: a re-serialized body would differ.
    const text = fixtureText('threatstack', 'batch-host-and-cloudtrail').replace('Example Corp', 'Example Corp \\u00e9 ü');
    expect((await rt.post(`/ingest/threatstack/${rt.ingestToken}`, text)).status).toBe(200);
    await rt.drain();
    const incidents = (await rt.get('/api/incidents')).body.incidents as Array<{ id: string; title: string }>;
    const second = incidents.find((i) => i.title.startsWith('CloudTrail Activity'))!;
    const detail = (await rt.get(`/api/incidents/${second.id}`)).body;
    const alert = detail.alerts[0];
    expect(alert.alertId).toMatch(/^[0-9a-f]{16}$/);

    const raw = await rt.get(`/api/incidents/${second.id}/alerts/${alert.alertId}/raw`);
    expect(raw.status).toBe(200);
    expect(raw.body).toMatchObject({ archiveKey: alert.archiveKey, source: 'threatstack', contentType: 'application/json', truncated: false, alertIndex: 1 });
    // Carried in its one queue message, archived by the processor as a line of its batch object.
    expect(alert.archiveKey).toMatch(/^raw\/batch\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/[^#]+\.ndjson#bytes=\d+-\d+$/);
    expect(raw.body.receivedAt).toBe(alert.receivedAt);
    expect(Buffer.from(raw.body.body, 'utf8').equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(raw.body.bytes).toBe(Buffer.byteLength(text, 'utf8'));
  });

  it('answers a delivery too large to travel in its message from the object ingest archived it in (the whole-object layout)', async () => {
    // About 600 KB of body: with its normalized alert it does not fit in one queue message, so ingest archives it.
    const text = fixtureText('threatstack', 'bare-alert').replace('"source": "Host"', `"source": "Host",\n  "padding": "${'p'.repeat(600_000)}"`)
      .replace('6650f1d0a9e4b0d51a2c7ea0', '6650f1d0a9e4b0d51a2c7eff');
    expect((await rt.post(`/ingest/threatstack/${rt.ingestToken}`, text)).status).toBe(200);
    await rt.drain();
    const incidents = (await rt.get('/api/incidents')).body.incidents as Array<{ id: string }>;
    const details = await Promise.all(incidents.map(async (i) => (await rt.get(`/api/incidents/${i.id}`)).body));
    const detail = details.find((d) => d.alerts.some((a: { deliveryKey: string }) => a.deliveryKey === 'ts:6650f1d0a9e4b0d51a2c7eff'))!;
    const alert = detail.alerts.find((a: { deliveryKey: string }) => a.deliveryKey === 'ts:6650f1d0a9e4b0d51a2c7eff');
    expect(alert.archiveKey).toMatch(/^raw\/threatstack\/.*\.json$/);
    const raw = await rt.get(`/api/incidents/${detail.incident.id}/alerts/${alert.alertId}/raw?`);
    expect(raw.status).toBe(200);
    expect(raw.body.bytes).toBe(Buffer.byteLength(text, 'utf8'));
    expect(raw.body.truncated).toBe(true);
    expect(text.startsWith(raw.body.body)).toBe(true);
  });

  it('answers 404 for an unknown incident, an unknown alert, an alert of another incident and an archive object that is gone', async () => {
    const incidents = (await rt.get('/api/incidents')).body.incidents as Array<{ id: string }>;
    const [a, b] = await Promise.all(incidents.slice(0, 2).map(async (i) => (await rt.get(`/api/incidents/${i.id}`)).body));
    const alertOfB = b.alerts[0].alertId as string;

    const noIncident = await rt.get(`/api/incidents/inc-nope-1/alerts/${alertOfB}/raw`);
    expect(noIncident).toEqual({ status: 404, body: { error: expect.objectContaining({ code: 'not_found', message: 'no incident inc-nope-1' }) } });
    const noAlert = await rt.get(`/api/incidents/${a.incident.id}/alerts/0123456789abcdef/raw`);
    expect(noAlert.status).toBe(404);
    expect(noAlert.body.error.message).toBe(`incident ${a.incident.id} has no alert 0123456789abcdef`);
    const otherIncident = await rt.get(`/api/incidents/${a.incident.id}/alerts/${alertOfB}/raw`);
    expect(otherIncident.status).toBe(404);
    expect(otherIncident.body.error.message).toBe(`incident ${a.incident.id} has no alert ${alertOfB}`);

    // The archive object removed (as a lifecycle rule or an operator would): 404 naming why, not a 500.
    rmSync(join(rt.dataDir, 'archive', (b.alerts[0].archiveKey as string).split('#')[0]!));
    const gone = await rt.get(`/api/incidents/${b.incident.id}/alerts/${alertOfB}/raw`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.message).toContain(`the raw archive no longer holds ${b.alerts[0].archiveKey}`);
  });

  it('never reads a path the caller makes up (the key comes from the alert log only)', async () => {
    const [inc] = (await rt.get('/api/incidents')).body.incidents as Array<{ id: string }>;
    for (const alertId of ['..%2F..%2Flocal-secrets.json', '..%2Flocal-secrets.json', 'raw%2Fthreatstack']) {
      const res = await rt.get(`/api/incidents/${inc!.id}/alerts/${alertId}/raw`);
      expect([alertId, [400, 404].includes(res.status)]).toEqual([alertId, true]);
      expect(JSON.stringify(res.body)).not.toContain(rt.apiToken);
    }
  });

  it('needs a bearer token', async () => {
    const [inc] = (await rt.get('/api/incidents')).body.incidents as Array<{ id: string }>;
    expect((await rt.get(`/api/incidents/${inc!.id}/alerts/0123456789abcdef/raw`, null)).status).toBe(401);
  });
});
