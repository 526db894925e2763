/**
 * API resource: insights (docs/insights.md). `GET /api/analytics` answers from the rollups when the question fits
 * them, else over the incidents opened in the window (core/insights/answer.ts); `GET /api/export` answers one part
 * of at most `EXPORT_MAX_ROWS` rows as CSV (RFC 4180, csv-stringify) or JSON, with a `Link: rel="next"` to the next.
 */
import { stringify } from 'csv-stringify/sync';
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { InvalidPayloadError } from '../../core/errors';
import type { GroupBy } from '../../core/insights/analytics';
import { analyticsFromIncidents, analyticsFromRollupStore, basisOf } from '../../core/insights/answer';
import { timezonesOf, type RolledUpGroupBy } from '../../core/insights/rollup';
import { csvCells, EXPORT_COLUMNS, exportIncidents, type ExportRow } from '../../core/insights/export';
import {
  ANALYTICS_MAX_RANGE_DAYS, AnalyticsQuerySchema, EXPORT_MAX_RANGE_DAYS, EXPORT_MAX_ROWS, ExportQuerySchema, filteredBySource, PAGE_SIZE, queryOf,
} from '../../core/insights/request';
import { parseWith } from '../../core/normalize/shared';
import type { Clock, IncidentStore, RollupStore } from '../../core/ports';
import { json, type HttpEvent, type HttpResult, type RouteHandlers } from '../shared/http';

export interface InsightsDeps {
  config: PipelineConfig;
  store: IncidentStore;
  /** Rollups of resolved incidents (docs/insights.md §Rollups). */
  rollups: RollupStore;
  clock: Clock;
  publicBaseUrl: string;
}

export function insightsRoutes(deps: InsightsDeps): RouteHandlers {
  const incidentUrl = (id: string) => `${deps.publicBaseUrl}/api/incidents/${encodeURIComponent(id)}`;

  return {
    'GET /api/analytics': async (event) => {
      const q = parseWith(AnalyticsQuerySchema, event.queryStringParameters ?? {});
      const query = queryOf(q, deps.clock.now().getTime(), ANALYTICS_MAX_RANGE_DAYS);
      const flapMinutes = q.flapMinutes ?? 30;
      if (flapMinutes < 1 || flapMinutes > 7 * 24 * 60) throw new InvalidPayloadError([{ path: 'flapMinutes', message: 'must be between 1 and 10080' }]);
      const groupBy = (q.groupBy as GroupBy | undefined) ?? null;
      const options = { from: query.from, to: query.to, bucket: q.bucket ?? null, timezones: timezonesOf(deps.config.people), defaultTimezone: 'UTC' };
      if (basisOf(q.basis ?? 'auto', query, groupBy, q.source) === 'rollups') {
        return json(200, await analyticsFromRollupStore(deps.store, deps.rollups, query, { ...options, groupBy: groupBy as RolledUpGroupBy | null }));
      }
      return json(200, await analyticsFromIncidents(filteredBySource(deps.store, q.source), query, { ...options, groupBy, flapWindowMinutes: flapMinutes }));
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
