/**
 * The requests of the insights routes (docs/insights.md §Limits and bad input): query schemas, the window and
 * filters of a request (400 naming the field for a reversed or too wide window), and the `source` filter the
 * store's indexes do not have.
 */
import * as z from 'zod/mini';
import { InvalidPayloadError } from '../errors';
import { SEVERITIES } from '../model/alert';
import { INCIDENT_STATUSES } from '../model/incident';
import { SOURCE_NAMES } from '../normalize/source-names';
import type { IncidentPage, IncidentQuery, IncidentStore } from '../ports';
import { BUCKETS, isGroupBy } from './analytics';

/** The widest analytics window (days): bounds the incidents one request reads (docs/insights.md §Limits and bad input). */
export const ANALYTICS_MAX_RANGE_DAYS = 92;
/** The most incidents one analytics request aggregates; a busier window must be narrowed. */
export const ANALYTICS_MAX_INCIDENTS = 100_000;
/** The widest export window (days); the export is paged, so this only bounds the walk. */
export const EXPORT_MAX_RANGE_DAYS = 366;
/** Rows in one part of the export (about 2 MB of CSV, well under the 6 MB Lambda response). */
export const EXPORT_MAX_ROWS = 5000;
/** Incidents read per store page. */
export const PAGE_SIZE = 100;
const DEFAULT_RANGE_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;

const isoDate = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 date or time'));
const wholeNumber = z.pipe(z.string().check(z.regex(/^\d+$/, 'expected a whole number')), z.transform(Number));

const filters = {
  from: z.optional(isoDate),
  to: z.optional(isoDate),
  status: z.optional(z.enum(INCIDENT_STATUSES)),
  service: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  severity: z.optional(z.enum(SEVERITIES)),
  tag: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  source: z.optional(z.enum(SOURCE_NAMES)),
};

export const AnalyticsQuerySchema = z.strictObject({
  ...filters,
  groupBy: z.optional(z.string().check(z.refine(isGroupBy, 'expected service, team, severity, source, rule, fingerprint, assignee or tag:<key>'))),
  bucket: z.optional(z.enum(BUCKETS)),
  flapMinutes: z.optional(wholeNumber),
  /** `auto` (default): rollups when the question fits them; `rollups` (400 when it does not fit); `incidents`. */
  basis: z.optional(z.enum(['auto', 'rollups', 'incidents'])),
});

export const ExportQuerySchema = z.strictObject({
  ...filters,
  format: z._default(z.enum(['csv', 'json']), 'csv'),
  limit: z.optional(wholeNumber),
  cursor: z.optional(z.string().check(z.maxLength(2000))),
});

type Filters = { source?: string | undefined; from?: string | undefined; to?: string | undefined; status?: IncidentQuery['status']; service?: string | undefined; severity?: string | undefined; tag?: string | undefined };

/** The window and store filters of a request; 400 naming the field for a reversed or too wide window. */
export function queryOf(q: Filters, nowMs: number, maxDays: number): Omit<IncidentQuery, 'limit' | 'cursor'> & { from: string; to: string } {
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
export function filteredBySource(store: IncidentStore, source: string | undefined): Pick<IncidentStore, 'listIncidents' | 'timeline'> {
  if (source === undefined) return store;
  return {
    listIncidents: async (q: IncidentQuery): Promise<IncidentPage> => {
      const page = await store.listIncidents(q);
      return { items: page.items.filter((i) => i.source === source), cursor: page.cursor };
    },
    timeline: (id: string) => store.timeline(id),
  };
}
