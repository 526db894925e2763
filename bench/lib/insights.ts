/**
 * Insights at scale: `GET /api/analytics` and `GET /api/export` over N incidents in one window, through the real
 * handler (lambdas/handlers/api/insights.ts) and core, over a synthetic store that builds each page of incidents
 * (and their timelines) on demand, so the figure is the handler's and the core's time and memory, not the store's.
 * The heap is sampled at every store page (after the previous page was aggregated or written) and after every
 * export part. Used by `npm run bench` and by test/handlers/insights-scale.test.ts.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Fingerprint } from '../../lambdas/core/fingerprint';
import type { Incident, TimelineEvent } from '../../lambdas/core/model/incident';
import type { IncidentPage, IncidentQuery, IncidentStore } from '../../lambdas/core/ports';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';
import { insightsRoutes } from '../../lambdas/handlers/api/insights';
import { InMemoryRollupStore } from '../../lambdas/adapters/in-memory/rollup-store';
import { DynamoRollupStore } from '../../lambdas/adapters/dynamodb/rollup-store';
import { incidentFigures } from '../../lambdas/core/insights/figures';
import { rollupUpdatesOf, timezonesOf, type RollupRow } from '../../lambdas/core/insights/rollup';
import { startEmbeddedDynamo } from '../../lambdas/local/embedded-dynamodb';
import type { HttpEvent, HttpResult } from '../../lambdas/handlers/shared/http';

const START_MS = Date.parse('2026-01-01T00:00:00Z');
const SPAN_MS = 60 * 24 * 3600 * 1000; // incidents spread over 60 days
const iso = (ms: number) => new Date(ms).toISOString();

/** The i-th synthetic incident (deterministic): 1,000 fingerprints, 10 services, some suppressed, some open. */
export function syntheticIncident(i: number, n: number): Incident {
  const opened = START_MS + Math.floor((i * SPAN_MS) / n);
  const fp = (i % 1000).toString(16).padStart(64, '0') as Fingerprint;
  const suppressed = i % 17 === 0;
  const open = i % 23 === 0;
  const acked = !suppressed && i % 3 !== 0;
  const resolved = !suppressed && !open;
  const first = { deliveryKey: `k${i}`, title: `Alert ${i}`, action: 'trigger' as const, occurredAt: iso(opened - 30_000), receivedAt: iso(opened) };
  return {
    id: `inc-${i}`, fingerprint: fp, seq: 1 + Math.floor(i / 1000), status: suppressed ? 'suppressed' : open ? (acked ? 'acknowledged' : 'triggered') : 'resolved',
    version: 1, title: i % 101 === 0 ? `=cmd|' /C calc'!A0 ${i}` : `Alert ${i}`, description: '', source: 'cloudwatch', severity: (['sev1', 'sev2', 'sev3'] as const)[i % 3]!,
    tags: { env: i % 2 === 0 ? 'prod' : 'staging', team: `t${i % 5}` },
    route: { service: `svc-${i % 10}`, team: `team-${i % 5}`, escalationPolicy: 'default', rule: `rule-${i % 7}` },
    alertUrl: `https://console.example/alarm/${i}`, resource: null, openedAt: iso(opened), lastSeenAt: iso(opened), updatedAt: iso(opened),
    acknowledgedAt: acked ? iso(opened + 120_000 + (i % 600) * 1000) : null, acknowledgedBy: acked ? 'alice' : null,
    resolvedAt: resolved ? iso(opened + 1_800_000 + (i % 3600) * 1000) : null, resolvedBy: resolved ? (i % 4 === 0 ? 'source:cloudwatch' : 'api:alice') : null,
    suppressionReason: suppressed ? 'suppressed-by-rule: noisy' : null, ...(suppressed ? { suppressedBy: 'noisy' } : {}),
    suppressedUntil: null, holdMinutes: null, snoozedUntil: null, assignee: null, escalation: suppressed ? 'none' : 'started', escalationRun: 1, escalationStep: 0,
    alertCount: 1 + (i % 4), alertsLogged: 1, firstAlert: first, lastAlert: first, recentMessages: [],
  };
}

export function syntheticTimeline(inc: Incident): TimelineEvent[] {
  if (inc.status === 'suppressed') return [];
  const opened = Date.parse(inc.openedAt);
  const events: TimelineEvent[] = [
    { incidentId: inc.id, at: inc.openedAt, type: 'page', actor: 'pipeline', message: 'Level 1', data: { step: 0, level: 0, round: 0, recipients: [], deliveries: 1 } },
    { incidentId: inc.id, at: iso(opened + 5_000), type: 'notification', actor: 'pipeline', message: 'Sent', data: { outcome: 'sent', attempt: 1, type: 'sms', channel: null, person: opened % 2 === 0 ? 'alice' : 'bob' } },
  ];
  if (inc.acknowledgedAt) events.push({ incidentId: inc.id, at: inc.acknowledgedAt, type: 'acknowledged', actor: 'api:alice', message: 'Acknowledged' });
  return events;
}

/** Positions (newest first) of the synthetic incidents of each status: what the byStatus index answers. */
function statusIndex(n: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const status = syntheticIncident(n - 1 - i, n).status;
    const list = out.get(status);
    if (list) list.push(i);
    else out.set(status, [i]);
  }
  return out;
}

/**
 * A read-only store of n synthetic incidents, newest first, paged by an index cursor. Builds pages on demand; a
 * query by status walks only that status's incidents (the byStatus index). `calls` counts the DynamoDB calls the
 * real store would make: an index query and a BatchGetItem per page, a query per timeline.
 */
export function syntheticStore(n: number, onPage: () => void = () => undefined): IncidentStore & { calls: number } {
  const unsupported = async (): Promise<never> => {
    throw new TypeError('the synthetic store is read-only');
  };
  let byStatus: Map<string, number[]> | null = null;
  const store = {
    calls: 0,
    async listIncidents(q: IncidentQuery): Promise<IncidentPage> {
      store.calls += 2;
      const start = q.cursor ? Number(q.cursor) : 0;
      const items: Incident[] = [];
      if (q.status) {
        byStatus ??= statusIndex(n);
        const positions = byStatus.get(q.status) ?? [];
        let j = start;
        for (; j < positions.length && items.length < q.limit; j++) {
          const inc = syntheticIncident(n - 1 - positions[j]!, n);
          if ((q.from && inc.openedAt < q.from) || (q.to && inc.openedAt > q.to)) continue;
          items.push(inc);
        }
        return { items, cursor: j < positions.length ? String(j) : null };
      }
      let i = start;
      for (; i < n && items.length < q.limit; i++) {
        const inc = syntheticIncident(n - 1 - i, n);
        if (q.from && inc.openedAt < q.from) continue;
        if (q.to && inc.openedAt > q.to) continue;
        items.push(inc);
      }
      onPage();
      return { items, cursor: i < n ? String(i) : null };
    },
    async timeline(id: string) {
      store.calls++;
      return syntheticTimeline(syntheticIncident(Number(id.slice(4)), n));
    },
    getIncident: unsupported, recentForFingerprint: unsupported, applyPlan: unsupported, alerts: unsupported,
    appendTimeline: unsupported, replaceIncident: unsupported, isMessageDone: unsupported, markMessagesDone: unsupported,
    latestForFingerprints: unsupported, recordPagedStep: unsupported,
  };
  return store;
}

export interface InsightsScale {
  incidents: number;
  analyticsMs: number;
  /** CPU time of the process (user + system): on a shared machine closer to the work than the wall-clock time. */
  analyticsCpuMs: number;
  /** Retained heap growth (after a full collection), sampled every 5,000 incidents. */
  analyticsPeakHeapMb: number;
  exportParts: number;
  exportRows: number;
  exportMs: number;
  exportCpuMs: number;
  exportBytes: number;
  /** Retained heap growth (after a full collection), sampled after every part. */
  exportPeakHeapMb: number;
  largestPartBytes: number;
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

const WINDOW = { from: '2026-01-01T00:00:00Z', to: '2026-03-02T00:00:00Z' };

function eventOf(routeKey: string, query: Record<string, string>): HttpEvent {
  return {
    version: '2.0', routeKey, rawPath: routeKey.slice(4), rawQueryString: '', headers: {}, isBase64Encoded: false, queryStringParameters: query,
    requestContext: { requestId: 'bench', http: { method: 'GET', path: routeKey.slice(4), protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' } },
  } as unknown as HttpEvent;
}

/** Runs analytics and a full export (every part) over n synthetic incidents; heap is sampled as it goes. */
export async function measureInsights(config: PipelineConfig, n: number): Promise<InsightsScale> {
  // Retained heap: a full collection before each sample, so garbage not yet collected does not count.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heapMb = () => process.memoryUsage().heapUsed / 1e6;
  let peak = 0;
  let pages = 0;
  const sample = () => {
    if (++pages % 50 !== 0) return; // every 5,000 incidents
    gc();
    peak = Math.max(peak, heapMb());
  };
  const routes = insightsRoutes({ config, store: syntheticStore(n, sample), rollups: new InMemoryRollupStore(), clock: { now: () => new Date(WINDOW.to) }, publicBaseUrl: 'https://bench.example' });
  const call = (key: string, q: Record<string, string>) => routes[key]!(eventOf(key, q)) as Promise<HttpResult>;
  gc();
  const base = heapMb();
  peak = base;

  let t0 = performance.now();
  let cpu0 = process.cpuUsage();
  const analytics = await call('GET /api/analytics', { ...WINDOW, groupBy: 'service', bucket: 'week', basis: 'incidents' });
  const analyticsMs = performance.now() - t0;
  const analyticsCpuMs = cpuMs(process.cpuUsage(cpu0));
  if (analytics.statusCode !== 200) throw new TypeError(`analytics answered ${analytics.statusCode}: ${analytics.body}`);
  const counted = (JSON.parse(analytics.body) as { totals: { counts: { incidents: number; suppressed: number } } }).totals.counts;
  const analyticsPeakHeapMb = peak - base;

  gc();
  const base2 = heapMb();
  peak = base2;
  t0 = performance.now();
  cpu0 = process.cpuUsage();
  let cursor: string | undefined;
  let parts = 0;
  let rows = 0;
  let bytes = 0;
  let largest = 0;
  do {
    const res = await call('GET /api/export', { ...WINDOW, ...(cursor ? { cursor } : {}) });
    if (res.statusCode !== 200) throw new TypeError(`export answered ${res.statusCode}: ${res.body}`);
    parts++;
    rows += res.body.split('\r\n').length - 2; // header and the final empty line
    bytes += Buffer.byteLength(res.body);
    largest = Math.max(largest, Buffer.byteLength(res.body));
    cursor = res.headers['x-next-cursor'];
    gc();
    peak = Math.max(peak, heapMb());
  } while (cursor);
  const exportMs = performance.now() - t0;
  const exportCpuMs = cpuMs(process.cpuUsage(cpu0));
  const paging = n - (Math.floor((n - 1) / 17) + 1); // every 17th incident is suppressed
  if (counted.incidents !== paging) throw new TypeError(`analytics counted ${counted.incidents} paging incidents of ${paging}`);
  return {
    incidents: n, analyticsMs, analyticsCpuMs, analyticsPeakHeapMb, exportParts: parts, exportRows: rows, exportMs, exportCpuMs, exportBytes: bytes,
    exportPeakHeapMb: peak - base2, largestPartBytes: largest,
  };
}

export interface DashboardScale {
  incidents: number;
  /** Days of the dashboard's window. */
  days: number;
  /** Rollup items stored (per day and dimension value) for the resolved incidents. */
  rollupItems: number;
  /** Incidents read live (not resolved: open and suppressed). */
  liveIncidents: number;
  fromRollups: { ms: number; dynamoCalls: number; rollupQueries: number; liveCalls: number };
  fromIncidents: { ms: number; dynamoCalls: number };
  /** Largest relative difference of an estimated percentile (MTTA/MTTR/MTTK p50/p90/p95, totals and groups). */
  worstPercentileError: number;
  countsEqual: boolean;
}

/**
 * A 90-day dashboard (`groupBy=service&bucket=week`) over n synthetic incidents, from rollups and from the incidents.
 * The rollups of the resolved incidents are written to an embedded DynamoDB (dynalite) as the resolve hook leaves
 * them (summed per item, then one write per item), and read through DynamoRollupStore; the live incidents come from
 * the synthetic store. DynamoDB calls: the rollup store's own, plus what the incident store would make (an index
 * query and a BatchGetItem per page of 100, a query per timeline).
 */
export async function measureDashboard(config: PipelineConfig, n: number): Promise<DashboardScale> {
  const window = { from: '2026-01-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };
  const timezones = timezonesOf(config.people);
  const dynamo = await startEmbeddedDynamo({ tableName: 'bench' });
  try {
    const rollups = new DynamoRollupStore(dynamo.client, 'bench');
    const rows = new Map<string, RollupRow>();
    let live = 0;
    for (let i = 0; i < n; i++) {
      const inc = syntheticIncident(i, n);
      if (inc.status !== 'resolved' && ++live) continue;
      for (const u of rollupUpdatesOf(inc, incidentFigures(inc, syntheticTimeline(inc)), timezones, 'UTC')) {
        const key = `${u.kind}|${u.day}|${u.value}`;
        let r = rows.get(key);
        if (!r) rows.set(key, (r = { kind: u.kind, day: u.day, value: u.value, values: {} }));
        for (const [k, v] of Object.entries(u.delta)) r.values[k] = (r.values[k] ?? 0) + v;
      }
    }
    let k = 0;
    for (const r of rows.values()) await rollups.addResolved(`bench-${k++}`, [{ kind: r.kind, day: r.day, value: r.value, delta: r.values }], window.to);
    rollups.calls = 0;

    const store = syntheticStore(n);
    await store.listIncidents({ status: 'triggered', limit: 1 }); // builds the synthetic status index before timing
    store.calls = 0;
    const routes = insightsRoutes({ config, store, rollups, clock: { now: () => new Date(window.to) }, publicBaseUrl: 'https://bench.example' });
    const call = async (q: Record<string, string>) => {
      const res = (await routes['GET /api/analytics']!(eventOf('GET /api/analytics', q))) as HttpResult;
      if (res.statusCode !== 200) throw new TypeError(`analytics answered ${res.statusCode}: ${res.body}`);
      return JSON.parse(res.body) as Record<string, unknown> & { basis: string; totals: Record<string, unknown>; groups: Array<Record<string, unknown>> };
    };
    const q = { ...window, groupBy: 'service', bucket: 'week' };
    let t0 = performance.now();
    const est = await call(q);
    const rollupMs = performance.now() - t0;
    const rollupQueries = rollups.calls;
    const liveCalls = store.calls;
    if (est.basis !== 'rollups') throw new TypeError(`the dashboard was answered from ${est.basis}`);
    store.calls = 0;
    t0 = performance.now();
    const exact = await call({ ...q, basis: 'incidents' });
    const incidentsMs = performance.now() - t0;

    let worst = 0;
    let countsEqual = JSON.stringify(est.totals.counts) === JSON.stringify(exact.totals.counts);
    const pairs = [[est.totals, exact.totals], ...est.groups.map((g, i) => [g, exact.groups[i]!])] as Array<[Record<string, unknown>, Record<string, unknown>]>;
    for (const [e, x] of pairs) {
      countsEqual &&= JSON.stringify(e.counts) === JSON.stringify(x.counts);
      for (const d of ['mtta', 'mttr', 'mttk']) {
        for (const p of ['p50', 'p90', 'p95']) {
          const ev = (e[d] as Record<string, number | null>)[p];
          const xv = (x[d] as Record<string, number | null>)[p];
          if (ev != null && xv != null && xv > 0) worst = Math.max(worst, Math.abs(ev - xv) / xv);
        }
      }
    }
    return {
      incidents: n, days: 90, rollupItems: rows.size, liveIncidents: live,
      fromRollups: { ms: rollupMs, dynamoCalls: rollupQueries + liveCalls, rollupQueries, liveCalls },
      fromIncidents: { ms: incidentsMs, dynamoCalls: store.calls },
      worstPercentileError: worst, countsEqual,
    };
  } finally {
    await dynamo.close();
  }
}
