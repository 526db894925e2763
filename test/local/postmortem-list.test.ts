/**
 * The list of postmortems over HTTP against the local runtime (GET /api/postmortems): newest incident first, the
 * status, service and team filters, the opened-at range, cursors that walk every postmortem once, a viewer may
 * read it, and a bad filter is a 400 naming the field.
 */
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';

const config = parsePipelineConfig({
  version: 1,
  people: [{ name: 'vera', role: 'viewer' }],
  teams: [{ name: 'payments' }, { name: 'discovery' }],
  services: [{ name: 'checkout', team: 'payments' }, { name: 'search', team: 'discovery' }],
  routing: { default: { service: 'search' } },
  rules: { routing: [{ name: 'checkout-alerts', when: '"service" in alert.labels && alert.labels.service == "checkout"', route: { service: 'checkout' } }] },
});

/** An Alertmanager notification of one firing alert of `service`, started at `at`. */
const firing = (name: string, service: string, at: string) => {
  const labels = { alertname: name, service, severity: 'critical' };
  return {
    version: '4', groupKey: `{}:{alertname="${name}"}`, truncatedAlerts: 0, status: 'firing', receiver: 'alert-pipeline',
    groupLabels: { alertname: name }, commonLabels: labels, commonAnnotations: {}, externalURL: 'https://alertmanager.example.com',
    alerts: [{ status: 'firing', labels, annotations: { summary: `${name} on ${service}` }, startsAt: at, endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus:9090/graph', fingerprint: `fp-${name}` }],
  };
};

describe('GET /api/postmortems (local runtime)', () => {
  let rt: TestRuntime;
  /** Incident ids by alert name, oldest first. */
  const ids: Record<string, string> = {};
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${rt.url}${path}`, { method, headers: { authorization: `Bearer ${token ?? rt.apiToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const listed = async (query = '', token?: string): Promise<string[]> => {
    const res = await call('GET', `/api/postmortems${query}`, undefined, token);
    expect(res.status).toBe(200);
    return (res.body.postmortems as Array<{ incidentId: string }>).map((p) => p.incidentId);
  };

  beforeAll(async () => {
    rt = await startTestRuntime({ config, sweepIntervalMs: 0 });
    const base = Date.now() - 4 * 3600_000;
    // Four incidents an hour apart: three get a postmortem, one (search-slow) none.
    for (const [i, [name, service]] of ([['CheckoutErrors', 'checkout'], ['SearchDown', 'search'], ['CheckoutLatency', 'checkout'], ['SearchSlow', 'search']] as const).entries()) {
      expect((await rt.post(`/ingest/alertmanager/${rt.ingestToken}`, firing(name, service, new Date(base + i * 3600_000).toISOString()))).status).toBe(200);
      await rt.drain();
      const incidents = (await rt.get('/api/incidents')).body.incidents as Array<{ id: string; title: string }>;
      ids[name] = incidents.find((inc) => inc.title.includes(name))!.id;
    }
    for (const name of ['CheckoutErrors', 'SearchDown', 'CheckoutLatency']) expect((await call('POST', `/api/incidents/${ids[name]}/postmortem`, {})).status).toBe(201);
    // SearchDown goes to review; CheckoutErrors goes to review and is published.
    for (const name of ['SearchDown', 'CheckoutErrors']) expect((await call('PATCH', `/api/incidents/${ids[name]}/postmortem`, { version: 1, status: 'in_review' })).status).toBe(200);
    expect((await call('POST', `/api/incidents/${ids.CheckoutErrors}/postmortem/publish`, { version: 2 })).status).toBe(200);
  }, 60_000);
  afterAll(async () => rt?.cleanup());

  it('lists every postmortem, newest incident first, with what a list shows', async () => {
    const res = await call('GET', '/api/postmortems');
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.postmortems.map((p: any) => [p.incidentId, p.status, p.service, p.team])).toEqual([
      [ids.CheckoutLatency, 'draft', 'checkout', 'payments'],
      [ids.SearchDown, 'in_review', 'search', 'discovery'],
      [ids.CheckoutErrors, 'published', 'checkout', 'payments'],
    ]);
    const published = res.body.postmortems[2];
    expect(published).toMatchObject({ title: expect.stringContaining('CheckoutErrors'), severity: expect.any(String), version: 3, updatedBy: 'api-token' });
    expect(published.published).toMatchObject({ version: 3 });
    expect(published.sections).toBeUndefined(); // a summary, not the document
  });

  it('filters by status, service, team and the opened-at range', async () => {
    expect(await listed('?status=in_review')).toEqual([ids.SearchDown]);
    expect(await listed('?status=published')).toEqual([ids.CheckoutErrors]);
    expect(await listed('?service=checkout')).toEqual([ids.CheckoutLatency, ids.CheckoutErrors]);
    expect(await listed('?team=discovery')).toEqual([ids.SearchDown]);
    expect(await listed('?status=draft&team=payments')).toEqual([ids.CheckoutLatency]);
    expect(await listed('?service=search&status=published')).toEqual([]);
    const openedAt = (await rt.get(`/api/incidents/${ids.SearchDown}`)).body.incident.openedAt as string;
    expect(await listed(`?from=${encodeURIComponent(openedAt)}`)).toEqual([ids.CheckoutLatency, ids.SearchDown]);
    expect(await listed(`?to=${encodeURIComponent(openedAt)}`)).toEqual([ids.SearchDown, ids.CheckoutErrors]);
  });

  it('pages with cursors: each postmortem once, the last page without a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: any } = await call('GET', `/api/postmortems?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.postmortems).toHaveLength(1);
      seen.push(res.body.postmortems[0].incidentId);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([ids.CheckoutLatency, ids.SearchDown, ids.CheckoutErrors]);
    const twoOfThree = await call('GET', '/api/postmortems?limit=2&service=checkout');
    expect([twoOfThree.body.postmortems.length, twoOfThree.body.nextCursor]).toEqual([2, null]);
  });

  it('a viewer may read the list', async () => {
    expect(await listed('', rt.userTokens.vera)).toHaveLength(3);
  });

  it('a bad filter is a 400 naming the field, never a 500', async () => {
    for (const [query, field] of [['status=review', 'status'], ['limit=0', 'limit'], ['limit=101', 'limit'], ['from=yesterday', 'from'], ['cursor=bm90LWEta2V5', 'cursor'], ['team=', 'team'], ['colour=red', 'colour']] as const) {
      const res = await call('GET', `/api/postmortems?${query}`);
      expect([query, res.status, JSON.stringify(res.body)]).toEqual([query, 400, expect.stringContaining(field)]);
    }
  });

  // Last: it resolves SearchSlow (sev1, an auto-drafted severity) and opens its postmortem.
  it('answers the resolved incidents of an auto-drafted severity still without a postmortem ("awaiting"); opening one drafts it', async () => {
    const before = await call('GET', '/api/postmortems');
    expect(before.body.awaiting).toEqual([]); // SearchSlow is still open
    expect((await call('POST', `/api/incidents/${ids.SearchSlow}/resolve`, {})).status).toBe(200);
    const awaiting = await call('GET', '/api/postmortems', undefined, rt.userTokens.vera);
    expect(awaiting.body.awaiting).toEqual([expect.objectContaining({ incidentId: ids.SearchSlow, severity: 'sev1', service: 'search', team: 'discovery', resolvedAt: expect.any(String) })]);
    // Filters apply to it too; a status other than draft (or a later page) has none.
    expect((await call('GET', '/api/postmortems?service=checkout')).body.awaiting).toEqual([]);
    expect((await call('GET', '/api/postmortems?status=in_review')).body.awaiting).toEqual([]);
    expect((await call('GET', `/api/postmortems?status=draft`)).body.awaiting).toHaveLength(1);
    // Opening it (the first read) drafts it: it moves from "awaiting" to the list.
    expect((await call('GET', `/api/incidents/${ids.SearchSlow}/postmortem`)).status).toBe(200);
    const after = await call('GET', '/api/postmortems');
    expect(after.body.awaiting).toEqual([]);
    expect(after.body.postmortems[0].incidentId).toBe(ids.SearchSlow);
  });
});
