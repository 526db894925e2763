/**
 * API resource: insights (docs/insights.md). `GET /api/analytics` pages through the incidents opened in the window
 * and aggregates them in the core; `GET /api/export` answers one part of at most `EXPORT_MAX_ROWS` rows as CSV
 * (RFC 4180, csv-stringify) or JSON, with a `Link: rel="next"` to the next part.
 */
import { stringify } from 'csv-stringify/sync';
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { InvalidPayloadError } from '../../core/errors';
import { createAnalytics } from '../../core/insights/analytics';
import { incidentFigures } from '../../core/insights/figures';
import { csvCells, EXPORT_COLUMNS, exportIncidents, type ExportRow } from '../../core/insights/export';
import {
  ANALYTICS_MAX_INCIDENTS, ANALYTICS_MAX_RANGE_DAYS, AnalyticsQuerySchema, EXPORT_MAX_RANGE_DAYS, EXPORT_MAX_ROWS, ExportQuerySchema,
  filteredBySource, PAGE_SIZE, queryOf,
} from '../../core/insights/request';
import { parseWith } from '../../core/normalize/shared';
import type { Clock, IncidentStore } from '../../core/ports';
import { json, type HttpEvent, type HttpResult, type RouteHandlers } from '../shared/http';

export interface InsightsDeps {
  config: PipelineConfig;
  store: IncidentStore;
  clock: Clock;
  publicBaseUrl: string;
}

export function insightsRoutes(deps: InsightsDeps): RouteHandlers {
  const timezones = () => Object.fromEntries(deps.config.people.flatMap((p) => (p.timezone ? [[p.name, p.timezone]] : [])));
  const incidentUrl = (id: string) => `${deps.publicBaseUrl}/api/incidents/${encodeURIComponent(id)}`;

  return {
    'GET /api/analytics': async (event) => {
      const q = parseWith(AnalyticsQuerySchema, event.queryStringParameters ?? {});
      const query = queryOf(q, deps.clock.now().getTime(), ANALYTICS_MAX_RANGE_DAYS);
      const flapMinutes = q.flapMinutes ?? 30;
      if (flapMinutes < 1 || flapMinutes > 7 * 24 * 60) throw new InvalidPayloadError([{ path: 'flapMinutes', message: 'must be between 1 and 10080' }]);
      const analytics = createAnalytics({
        from: query.from, to: query.to, groupBy: (q.groupBy as Parameters<typeof createAnalytics>[0]['groupBy'] | undefined) ?? null, bucket: q.bucket ?? null,
        flapWindowMinutes: flapMinutes, timezones: timezones(), defaultTimezone: 'UTC',
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
