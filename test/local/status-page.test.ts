/**
 * The status page end to end on the local runtime: an alert opens a sev1 on `database`; /status, /status.json and
 * /status/feed.atom follow it (and its dependent `checkout`) after the batch; acknowledging changes nothing;
 * resolving returns both; the status API (updates, overrides, public maintenance) re-renders; the private page
 * needs the bearer and says why; nothing internal (host name, IP, incident id, alert title) reaches a public file.
 */
import { parseFeed } from '@rowanmanning/feed-parser';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';
import { componentStatuses, databaseDown, INTERNAL, STATUS_CONFIG } from '../support/status-fixtures';

async function publicFiles(rt: { url: string }): Promise<string[]> {
  return Promise.all(['/status', '/status.json', '/status/feed.atom'].map(async (p) => (await fetch(`${rt.url}${p}`)).text()));
}

describe('status page on the local runtime', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime({ config: STATUS_CONFIG, sweepIntervalMs: 0 });
  });
  afterAll(async () => rt?.cleanup());

  it('serves the public files without authentication, all operational at start', async () => {
    const html = await fetch(`${rt.url}/status`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('All Systems Operational');
    expect((await fetch(`${rt.url}/status/feed.atom`)).headers.get('content-type')).toContain('application/atom+xml');
    expect(await componentStatuses(rt)).toEqual({ checkout: 'operational', database: 'operational', search: 'operational' });
  });

  let incidentId: string;
  it('an open sev1 makes database major_outage and checkout degraded after the batch, leaking nothing', async () => {
    expect((await rt.post(`/ingest/alertmanager/${rt.ingestToken}`, databaseDown(new Date().toISOString()))).status).toBe(200);
    await rt.drain();
    expect(await componentStatuses(rt)).toEqual({ checkout: 'degraded_performance', database: 'major_outage', search: 'operational' });
    const list = await rt.get('/api/incidents?status=triggered');
    incidentId = list.body.incidents[0].id;
    expect(list.body.incidents[0]).toMatchObject({ severity: 'sev1', route: { service: 'database' } });
    for (const body of await publicFiles(rt)) {
      for (const secret of [INTERNAL.host, INTERNAL.ip, INTERNAL.title, incidentId, 'Connection refused']) expect(body).not.toContain(secret);
    }
  });

  it('the private page needs the bearer and says why', async () => {
    expect((await fetch(`${rt.url}/status/private`)).status).toBe(401);
    const res = await fetch(`${rt.url}/status/private`, { headers: { authorization: `Bearer ${rt.apiToken}` } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`Incident ${incidentId} (sev1, triggered)`);
    expect(html).toContain('Depends on Database [database]');
  });

  it('publishes status updates linked to the incident; refuses unknown components and incidents naming the field', async () => {
    const bad = await rt.apiPost('/api/status/incidents', { title: 'x', components: ['checkout', 'nope'], message: 'm' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('components[1]');
    const unknown = await rt.apiPost('/api/status/incidents', { title: 'x', components: ['checkout'], incidentIds: ['no-such'], message: 'm' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('incidentIds[0]');
    const created = await rt.apiPost('/api/status/incidents', {
      title: 'Checkout is slow', components: ['checkout', 'database'], incidentIds: [incidentId], status: 'investigating', message: 'We are looking into slow checkouts.', by: 'alice',
    });
    expect(created.status).toBe(201);
    const update = await rt.apiPost(`/api/status/incidents/${created.body.incident.id}/updates`, { status: 'identified', message: 'A database problem; a fix is under way.' });
    expect(update.status).toBe(200);
    const feed = parseFeed(await (await fetch(`${rt.url}/status/feed.atom`)).text());
    expect(feed.items.map((i) => i.title)).toEqual(['Checkout is slow: identified', 'Checkout is slow: investigating']);
    const json = (await (await fetch(`${rt.url}/status.json`)).json()) as any;
    expect(json.incidents[0]).toMatchObject({ name: 'Checkout is slow', status: 'identified' });
    for (const body of await publicFiles(rt)) expect(body).not.toContain('alice');
  });

  it('acknowledging changes nothing; resolving returns both to operational', async () => {
    expect((await rt.apiPost(`/api/incidents/${incidentId}/acknowledge`, {})).status).toBe(200);
    expect(await componentStatuses(rt)).toEqual({ checkout: 'degraded_performance', database: 'major_outage', search: 'operational' });
    expect((await rt.apiPost(`/api/incidents/${incidentId}/resolve`, {})).status).toBe(200);
    expect(await componentStatuses(rt)).toEqual({ checkout: 'operational', database: 'operational', search: 'operational' });
  });

  it('an override wins until deleted; a public ad-hoc window shows under_maintenance', async () => {
    const end = new Date(Date.now() + 3600_000).toISOString();
    const o = await rt.apiPost('/api/status/overrides', { service: 'search', status: 'partial_outage', reason: 'index rebuild', end });
    expect(o.status).toBe(201);
    expect((await componentStatuses(rt)).search).toBe('partial_outage');
    const del = await fetch(`${rt.url}/api/status/overrides/${o.body.override.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${rt.apiToken}` } });
    expect(del.status).toBe(200);
    expect((await componentStatuses(rt)).search).toBe('operational');
    expect((await rt.apiPost('/api/status/overrides', { service: 'search', status: 'major_outage', end: new Date(Date.now() - 1000).toISOString() })).status).toBe(400);

    expect((await rt.apiPost('/api/maintenance', { name: 'reindex', reason: 'Search index upgrade', services: ['search'], end, public: true })).status).toBe(201);
    expect((await componentStatuses(rt)).search).toBe('under_maintenance');
    const json = (await (await fetch(`${rt.url}/status.json`)).json()) as any;
    expect(json.scheduled_maintenances[0]).toMatchObject({ name: 'reindex', status: 'in_progress' });
    const status = await rt.get('/api/status');
    expect(status.body.components.find((c: { service: string }) => c.service === 'search').why).toEqual([{ kind: 'maintenance', name: 'reindex', until: end }]);
  });
});
