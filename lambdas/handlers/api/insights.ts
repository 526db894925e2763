/**
 * API resource: insights (docs/insights.md). `GET /api/analytics` pages through the incidents opened in the window
 * and aggregates them in the core; `GET /api/export` answers one part of at most `EXPORT_MAX_ROWS` rows as CSV
 * (RFC 4180, csv-stringify) or JSON, with a `Link: rel="next"` to the next part.
 */
import { stringify } from 'csv-stringify/sync';
import * as z from 'zod/mini';
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { InvalidPayloadError } from '../../core/errors';
import { BUCKETS, createAnalytics, isGroupBy } from '../../core/insights/analytics';
import { incidentFigures } from '../../core/insights/figures';
import { csvCells, EXPORT_COLUMNS, exportIncidents, type ExportRow } from '../../core/insights/export';
import { SEVERITIES } from '../../core/model/alert';
import { INCIDENT_STATUSES } from '../../core/model/incident';
import { SOURCES } from '../../core/normalize/registry';
import { parseWith } from '../../core/normalize/shared';
import type { Clock, IncidentPage, IncidentQuery, IncidentStore } from '../../core/ports';
import { isoDate } from './shared';
import { json, type HttpEvent, type HttpResult, type RouteHandlers } from '../shared/http';

/** The widest analytics window (days): bounds the incidents one request reads (docs/insights.md §Limits). */
export const ANALYTICS_MAX_RANGE_DAYS = 92;
/** The most incidents one analytics request aggregates; a busier window must be narrowed. */
export const ANALYTICS_MAX_INCIDENTS = 100_000;
/** The widest export window (days); the export is paged, so this only bounds the walk. */
export const EXPORT_MAX_RANGE_DAYS = 366;
/** Rows in one part of the export (about 2 MB of CSV, well under the 6 MB Lambda response). */
export const EXPORT_MAX_ROWS = 5000;
/** Incidents read per store page. */
const PAGE_SIZE = 100;
const DEFAULT_RANGE_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;

export interface InsightsDeps {
  config: PipelineConfig;
  store: IncidentStore;
  clock: Clock;
  publicBaseUrl: string;
}

const wholeNumber = z.pipe(z.string().check(z.regex(/^\d+$/, 'expected a whole number')), z.transform(Number));

const filters = {
  from: z.optional(isoDate),
  to: z.optional(isoDate),
  status: z.optional(z.enum(INCIDENT_STATUSES)),
  service: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  severity: z.optional(z.enum(SEVERITIES)),
  tag: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  source: z.optional(z.enum(SOURCES)),
};

const AnalyticsQuerySchema = z.strictObject({
  ...filters,
  groupBy: z.optional(z.string().check(z.refine(isGroupBy, 'expected service, team, severity, source, rule, fingerprint, assignee or tag:<key>'))),
  bucket: z.optional(z.enum(BUCKETS)),
  flapMinutes: z.optional(wholeNumber),
});

const ExportQuerySchema = z.strictObject({
  ...filters,
  format: z._default(z.enum(['csv', 'json']), 'csv'),
  limit: z.optional(wholeNumber),
  cursor: z.optional(z.string().check(z.maxLength(2000))),
});

type Filters = { source?: string | undefined; from?: string | undefined; to?: string | undefined; status?: IncidentQuery['status']; service?: string | undefined; severity?: string | undefined; tag?: string | undefined };

/** The window and store filters of a request; 400 naming the field for a reversed or too wide window. */
function queryOf(q: Filters, nowMs: number, maxDays: number): Omit<IncidentQuery, 'limit' | 'cursor'> & { from: string; to: string } {
  const to = q.to !== undefined ? new Date(q.to).toISOString() : new Date(nowMs).toISOString();
  const from = q.from !== undefined ? new Date(q.from).toISOString() : new Date(Date.parse(to) - DEFAULT_RANGE_DAYS * DAY_MS).toISOString();
  if (from > to) throw new InvalidPayloadError([{ path: 'from', message: `must not be later than to (from ${from}, to ${to})` }]);
  if (Date.parse(to) - Date.parse(from) > maxDays * DAY_MS) {
    throw new InvalidPayloadError([{ path: 'to', message: `the range from ${from} to ${to} is longer than the maximum of ${maxDays} days` }]);
  }
  let tag: IncidentQuery['tag'];
  if (q.tag) {
    const i = q.tag.indexOf(':');
    tag = i < 0 ? { key: q.tag, value: null } : { key: q.tag.slice(0, i), value: q.tag.slice(i + 1) };
  }
  return { from, to, status: q.status, service: q.service, severity: q.severity, tag };
}

/** The store with the `source` filter applied to each page (the store's indexes do not know sources). */
function filteredBySource(store: IncidentStore, source: string | undefined): Pick<IncidentStore, 'listIncidents' | 'timeline'> {
  if (source === undefined) return store;
  return {
    listIncidents: async (q: IncidentQuery): Promise<IncidentPage> => {
      const page = await store.listIncidents(q);
      return { items: page.items.filter((i) => i.source === source), cursor: page.cursor };
    },
    timeline: (id: string) => store.timeline(id),
  };
}

export function insightsRoutes(deps: InsightsDeps): RouteHandlers {
  const timezones = Object.fromEntries(deps.config.people.flatMap((p) => (p.timezone ? [[p.name, p.timezone]] : [])));
  const incidentUrl = (id: string) => `${deps.publicBaseUrl}/api/incidents/${encodeURIComponent(id)}`;

  return {
    'GET /api/analytics': async (event) => {
      const q = parseWith(AnalyticsQuerySchema, event.queryStringParameters ?? {});
      const query = queryOf(q, deps.clock.now().getTime(), ANALYTICS_MAX_RANGE_DAYS);
      const flapMinutes = q.flapMinutes ?? 30;
      if (flapMinutes < 1 || flapMinutes > 7 * 24 * 60) throw new InvalidPayloadError([{ path: 'flapMinutes', message: 'must be between 1 and 10080' }]);
      const analytics = createAnalytics({
        from: query.from, to: query.to, groupBy: (q.groupBy as Parameters<typeof createAnalytics>[0]['groupBy'] | undefined) ?? null, bucket: q.bucket ?? null,
        flapWindowMinutes: flapMinutes, timezones, defaultTimezone: 'UTC',
      });
      const store = filteredBySource(deps.store, q.source);
      let cursor: string | undefined;
      let seen = 0;
      for (;;) {
        const page = await store.listIncidents({ ...query, limit: PAGE_SIZE, cursor });
        seen += page.items.length;
        if (seen > ANALYTICS_MAX_INCIDENTS) {
          throw new InvalidPayloadError([{ path: 'from', message: `the window holds more than ${ANALYTICS_MAX_INCIDENTS} incidents; narrow from/to or filter` }]);
        }
        const timelines = await Promise.all(page.items.map((i) => store.timeline(i.id)));
        page.items.forEach((inc, i) => analytics.add(inc, incidentFigures(inc, timelines[i]!)));
        if (page.cursor === null) break;
        cursor = page.cursor;
      }
      return json(200, analytics.result());
    },
    'GET /api/export': async (event) => {
      const q = parseWith(ExportQuerySchema, event.queryStringParameters ?? {});
      const query = queryOf(q, deps.clock.now().getTime(), EXPORT_MAX_RANGE_DAYS);
      const maxRows = q.limit ?? EXPORT_MAX_ROWS;
      if (maxRows < 1 || maxRows > EXPORT_MAX_ROWS) throw new InvalidPayloadError([{ path: 'limit', message: `must be between 1 and ${EXPORT_MAX_ROWS}` }]);
      const options = { cursor: q.cursor, maxRows, pageSize: PAGE_SIZE, incidentUrl };
      const store = filteredBySource(deps.store, q.source);
      if (q.format === 'json') {
        const rows: ExportRow[] = [];
        const { nextCursor } = await exportIncidents(store, query, options, (r) => rows.push(r));
        return json(200, { incidents: rows, nextCursor }, nextHeaders(event, deps.publicBaseUrl, nextCursor));
      }
      // One chunk of CSV text per store page; the body is joined once at the end.
      const chunks: string[] = [stringify([[...EXPORT_COLUMNS]], { record_delimiter: 'windows' })];
      let batch: string[][] = [];
      const flush = () => {
        if (batch.length > 0) chunks.push(stringify(batch, { record_delimiter: 'windows' }));
        batch = [];
      };
      const { nextCursor } = await exportIncidents(store, query, options, (r) => {
        batch.push(csvCells(r));
        if (batch.length >= PAGE_SIZE) flush();
      });
      flush();
      return csv(chunks.join(''), nextHeaders(event, deps.publicBaseUrl, nextCursor));
    },
  };
}

function csv(body: string, headers: Record<string, string>): HttpResult {
  return {
    statusCode: 200,
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="incidents.csv"', ...headers },
    body,
  };
}

/** `Link: <...&cursor=...>; rel="next"` and `X-Next-Cursor` when there is a next part. */
function nextHeaders(event: HttpEvent, baseUrl: string, cursor: string | null): Record<string, string> {
  if (cursor === null) return {};
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (k !== 'cursor' && v !== undefined) params.set(k, v);
  params.set('cursor', cursor);
  return { link: `<${baseUrl}/api/export?${params.toString()}>; rel="next"`, 'x-next-cursor': cursor };
}
