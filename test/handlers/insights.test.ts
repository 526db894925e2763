import { parse } from 'csv-parse/sync';
import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { InMemoryRollupStore } from '../../lambdas/adapters/in-memory/rollup-store';
import { recordResolved } from '../../lambdas/core/insights/on-resolve';
import { parseTags, EXPORT_COLUMNS, neutralizeCell, formatTags } from '../../lambdas/core/insights/export';
import { insightsRoutes } from '../../lambdas/handlers/api/insights';
import { EXPORT_MAX_ROWS } from '../../lambdas/core/insights/request';
import { httpHandler, type HttpEvent } from '../../lambdas/handlers/shared/http';
import { testConfig } from '../support/builders';
import { history, TIMEZONES } from '../support/insights-history';

const BASE = 'https://alerts.example.com';

async function setup() {
  const store = new InMemoryIncidentStore();
  const rollups = new InMemoryRollupStore();
  const clock = { now: () => new Date('2026-04-01T00:00:00Z') };
  for (const { incident, timeline } of history()) {
    store.incidents.set(incident.id, incident);
    store.timelines.set(incident.id, timeline);
    // What the hook on resolve did when each resolved incident resolved.
    if (incident.status === 'resolved') {
      await recordResolved(store, { rollups, history: null, timezones: TIMEZONES, incidentUrl: (id) => id, clock, log: () => {} }, incident);
    }
  }
  const config = { ...testConfig, people: Object.entries(TIMEZONES).map(([name, timezone]) => ({ name, timezone, contacts: [], channels: [] })) };
  const handler = httpHandler(insightsRoutes({ config, store, rollups, clock, publicBaseUrl: BASE }));
  const get = async (routeKey: 'GET /api/analytics' | 'GET /api/export', query: Record<string, string> = {}) => {
    const res = await handler({
      version: '2.0', routeKey, rawPath: routeKey.slice(4), rawQueryString: new URLSearchParams(query).toString(), headers: {}, isBase64Encoded: false,
      queryStringParameters: query,
      requestContext: { requestId: 'req-1', http: { method: 'GET', path: routeKey.slice(4), protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 'test' } },
    } as unknown as HttpEvent, {} as never);
    return res;
  };
  return { get, store, rollups };
}

const MARCH = { from: '2026-03-01T00:00:00Z', to: '2026-03-31T23:59:59Z' };

describe('GET /api/analytics', () => {
  it('answers the figures of the window, grouped and bucketed', async () => {
    const res = await (await setup()).get('GET /api/analytics', { ...MARCH, groupBy: 'severity', bucket: 'month', basis: 'incidents' });
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.basis).toBe('incidents');
    expect(body.totals.counts).toMatchObject({ incidents: 5, suppressed: 4, deduplicated: 3 });
    expect(body.totals.mtta).toEqual({ count: 4, mean: 825, p50: 600, p90: 1200, p95: 1200 });
    expect(body.groups.map((g: { key: string }) => g.key)).toEqual(['sev1', 'sev2', 'sev3']);
    expect(body.buckets).toHaveLength(1);
    expect(body.interruptions[1]).toEqual({ person: 'bob', timezone: 'Europe/Berlin', business: 1, offHours: 1, sleep: 1, total: 3 });
    expect(body.noise.rules[0].key).toBe('route:db-route');
  });

  it('answers a whole-day window by a rolled-up dimension from rollups, which agree with the incidents', async () => {
    const { get } = await setup();
    const q = { ...MARCH, groupBy: 'service', bucket: 'week' };
    const fromRollups = JSON.parse((await get('GET /api/analytics', q)).body);
    const fromIncidents = JSON.parse((await get('GET /api/analytics', { ...q, basis: 'incidents' })).body);
    expect(fromRollups.basis).toBe('rollups');
    expect(fromRollups.noise).toBeNull(); // flaps and fingerprints need every incident: basis=incidents
    expect(fromRollups.totals.counts).toEqual(fromIncidents.totals.counts); // the open ones (I3, I5) and the suppressed one (I6) read live
    expect(fromRollups.groups.map((g: { key: string; counts: unknown }) => [g.key, g.counts])).toEqual(fromIncidents.groups.map((g: { key: string; counts: unknown }) => [g.key, g.counts]));
    expect(fromRollups.buckets.map((b: { start: string }) => b.start)).toEqual(fromIncidents.buckets.map((b: { start: string }) => b.start));
    expect(fromRollups.interruptions).toEqual(fromIncidents.interruptions);
    expect(fromRollups.totals.mtta).toEqual({ count: 4, mean: 825, p50: 622.3, p90: 1212.7, p95: 1212.7 }); // exact: 600, 1200, 1200
  });

  it.each([
    ['a window inside days', { from: '2026-03-01T06:00:00Z', to: '2026-03-31T23:59:59Z' }],
    ['a groupBy that is not rolled up', { ...MARCH, groupBy: 'fingerprint' }],
    ['a filter', { ...MARCH, service: 'db' }],
  ])('answers %s from the incidents', async (_what, q) => {
    expect(JSON.parse((await (await setup()).get('GET /api/analytics', q)).body).basis).toBe('incidents');
  });

  it('answers 400 naming basis when rollups are asked for a question they do not fit', async () => {
    const res = await (await setup()).get('GET /api/analytics', { ...MARCH, groupBy: 'fingerprint', basis: 'rollups' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('basis');
  });

  it('applies the incident list filters', async () => {
    const body = JSON.parse((await (await setup()).get('GET /api/analytics', { ...MARCH, service: 'db' })).body);
    expect(body.totals.counts.incidents).toBe(3);
    const tagged = JSON.parse((await (await setup()).get('GET /api/analytics', { ...MARCH, tag: 'env:prod' })).body);
    expect(tagged.totals.counts.incidents).toBe(2);
  });

  it.each([
    ['an unknown groupBy', { groupBy: 'owner' }, 'groupBy'],
    ['a tag groupBy without a key', { groupBy: 'tag:' }, 'groupBy'],
    ['an unknown bucket', { bucket: 'hour' }, 'bucket'],
    ['from after to', { from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'from'],
    ['a range over 92 days', { from: '2026-01-01T00:00:00Z', to: '2026-04-04T00:00:00Z' }, 'to'],
    ['a date that is not one', { from: 'yesterday' }, 'from'],
    ['an unknown parameter', { owner: 'x' }, ''],
    ['an unknown basis', { basis: 'guess' }, 'basis'],
  ])('answers 400 naming the field to %s', async (_what, query, field) => {
    const res = await (await setup()).get('GET /api/analytics', query);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(field);
  });
});

describe('GET /api/export', () => {
  it('answers RFC 4180 CSV that a CSV parser reads back: header, columns, round-tripped tags, neutralized formulas', async () => {
    const res = await (await setup()).get('GET /api/export', MARCH);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.body).toContain('\r\n');
    const records = parse(res.body, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(records[0]!)).toEqual([...EXPORT_COLUMNS]);
    expect(records.map((r) => r.incident_id)).toEqual(['i5', 'i4', 'i6', 'i3', 'i2', 'i1']);
    const byId = new Map(records.map((r) => [r.incident_id, r]));
    expect(byId.get('i1')).toMatchObject({
      title: 'Alert i1', service: 'db', team: 'db-team', escalation_policy: 'db', severity: 'sev1', status: 'resolved', source: 'cloudwatch',
      created: '2026-03-07T14:00:00Z', acknowledged: '2026-03-07T14:05:00Z', resolved: '2026-03-07T14:20:00Z',
      seconds_to_ack: '300', seconds_to_resolve: '1200', escalations: '0', auto_resolved: 'false', interruptions: '1',
      source_url: 'https://console.example/alarm/1', route_rule: 'db-route', alert_count: '1', suppressed_by: '', seconds_to_know: '90',
      incident_url: `${BASE}/api/incidents/i1`,
    });
    expect(parseTags(byId.get('i1')!.tags!)).toEqual({ env: 'prod', team: 'db' });
    // A title and a tag value a spreadsheet would execute are neutralized.
    expect(byId.get('i2')!.title).toBe(`'=HYPERLINK("http://evil")`);
    expect(byId.get('i2')!.tags).toBe(`env=\\=cmd|calc`);
    expect(parseTags(byId.get('i2')!.tags!)).toEqual({ env: '=cmd|calc' });
    expect(byId.get('i6')).toMatchObject({ status: 'suppressed', suppressed_by: 'noisy', alert_count: '4' });
    expect(byId.get('i3')).toMatchObject({ escalations: '1', interruptions: '2', seconds_to_resolve: '' });
  });

  it('filters by status, severity, source, service and tag', async () => {
    const { get } = await setup();
    const ids = async (q: Record<string, string>) => (parse((await get('GET /api/export', { ...MARCH, ...q })).body, { columns: true }) as Array<Record<string, string>>).map((r) => r.incident_id);
    expect(await ids({ status: 'resolved' })).toEqual(['i4', 'i2', 'i1']);
    expect(await ids({ severity: 'sev1', service: 'db' })).toEqual(['i3', 'i2', 'i1']);
    expect(await ids({ tag: 'env' })).toEqual(['i4', 'i2', 'i1']);
    expect(await ids({ source: 'cloudwatch', status: 'suppressed' })).toEqual(['i6']);
    expect(await ids({ source: 'alertmanager' })).toEqual([]);
  });

  it('answers JSON rows with the same columns', async () => {
    const body = JSON.parse((await (await setup()).get('GET /api/export', { ...MARCH, format: 'json' })).body);
    expect(body.nextCursor).toBeNull();
    expect(body.incidents[4]).toMatchObject({ incident_id: 'i2', title: '=HYPERLINK("http://evil")', auto_resolved: true, seconds_to_ack: null });
  });

  it('pages with a Link to the next part, each part with its header row', async () => {
    const { get } = await setup();
    const first = await get('GET /api/export', { ...MARCH, limit: '4' });
    const link = first.headers.link!;
    expect(link).toMatch(/^<https:\/\/alerts\.example\.com\/api\/export\?.*cursor=.*>; rel="next"$/);
    const next = Object.fromEntries(new URL(link.slice(1, link.indexOf('>'))).searchParams);
    const second = await get('GET /api/export', next);
    expect(second.headers.link).toBeUndefined();
    const ids = [first, second].flatMap((r) => (parse(r.body, { columns: true }) as Array<Record<string, string>>).map((x) => x.incident_id));
    expect(ids).toEqual(['i5', 'i4', 'i6', 'i3', 'i2', 'i1']);
  });

  it.each([
    ['an unknown format', { format: 'xlsx' }, 'format'],
    ['from after to', { from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'from'],
    ['a range over 366 days', { from: '2025-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'to'],
    ['a limit over the part size', { limit: String(EXPORT_MAX_ROWS + 1) }, 'limit'],
    ['an unknown severity', { severity: 'sev9' }, 'severity'],
    ['an unknown source', { source: 'nagios' }, 'source'],
  ])('answers 400 naming the field to %s', async (_what, query, field) => {
    const res = await (await setup()).get('GET /api/export', query);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(field);
  });
});

describe('export cells', () => {
  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])('neutralizes %j', (v) => {
    expect(neutralizeCell(v)).toBe(`'${v}`);
  });

  it('keeps other cells and round-trips tags with separators in keys and values', () => {
    expect(neutralizeCell('a=1')).toBe('a=1');
    const tags = { 'a;b': 'c=d', 'e\\': ';', empty: '' };
    expect(parseTags(formatTags(tags))).toEqual(tags);
    expect(parseTags('')).toEqual({});
  });
});
