/**
 * List filters. Every filter of the incident list (status, severity, service, team, source, tag, the time range)
 * goes to `GET /api/incidents`, which applies it on the server and pages with `nextCursor`; export and analytics use
 * the filters their APIs know. The postmortem list's filters (status, service, team) go to `GET /api/postmortems`.
 */
import type { PostmortemStatus, SourceName } from '../types';

export interface IncidentFilters {
  status: string;
  severity: string;
  service: string;
  team: string;
  source: string;
  tag: string;
  /** ISO dates or '' (opened at or after / before). */
  from: string;
  to: string;
}

export const NO_FILTERS: IncidentFilters = { status: '', severity: '', service: '', team: '', source: '', tag: '', from: '', to: '' };

const LIST_KEYS = ['status', 'severity', 'service', 'team', 'source', 'tag', 'from', 'to'] as const;

/** The sources the list can filter by: the server's source registry (a missing or unknown one fails type checking). */
export const SOURCE_NAMES = ['threatstack', 'cloudwatch', 'events-v2', 'alertmanager', 'webhook', 'guardduty', 'securityhub'] as const satisfies readonly SourceName[];
const everySource: Exclude<SourceName, (typeof SOURCE_NAMES)[number]> extends never ? true : never = true;
void everySource;

/** The query string of GET /api/incidents for these filters (empty ones left out) and a page's cursor. */
export function listQuery(f: IncidentFilters, limit = 100, cursor?: string | null): string {
  const q = new URLSearchParams();
  for (const k of LIST_KEYS) if (f[k].trim() !== '') q.set(k, f[k].trim());
  q.set('limit', String(limit));
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

/** The items of the pages read so far, in order, each once (an item that moved between two reads is shown once). */
export function mergePages<T>(pages: readonly T[][] | undefined, idOf: (item: T) => string): T[] {
  const seen = new Set<string>();
  return (pages ?? []).flat().filter((item) => {
    const id = idOf(item);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * What an empty list says. The server reads a bounded number of index pages per request, so a rare filter can come
 * back with nothing yet and a cursor: then the list says it found none so far, not that none exist.
 */
export function emptyListText(what: 'incidents' | 'postmortems', hasMore: boolean): string {
  return hasMore ? `No ${what} match among the newest read so far: load older ones to keep looking.` : `No ${what} match.`;
}

/** GET /api/export (CSV) with the current filters; the export API takes source too (not team). */
export function exportQuery(f: IncidentFilters, format: 'csv' | 'json' = 'csv'): string {
  const q = new URLSearchParams({ format });
  for (const k of ['status', 'severity', 'service', 'tag', 'from', 'to', 'source'] as const) if (f[k].trim() !== '') q.set(k, f[k].trim());
  return q.toString();
}

/** The analytics query (insights) for a window and grouping, with the list's filters. */
export function analyticsQuery(f: IncidentFilters, groupBy: string, bucket: string): string {
  const q = new URLSearchParams();
  for (const k of ['status', 'severity', 'service', 'tag', 'from', 'to'] as const) if (f[k].trim() !== '') q.set(k, f[k].trim());
  if (groupBy) q.set('groupBy', groupBy);
  if (bucket) q.set('bucket', bucket);
  return q.toString();
}

export interface PostmortemFilters {
  status: PostmortemStatus | '';
  service: string;
  team: string;
}

export const NO_POSTMORTEM_FILTERS: PostmortemFilters = { status: '', service: '', team: '' };

/** The query string of GET /api/postmortems for these filters and a page's cursor. */
export function postmortemListQuery(f: PostmortemFilters, limit = 50, cursor?: string | null): string {
  const q = new URLSearchParams();
  for (const k of ['status', 'service', 'team'] as const) if (f[k].trim() !== '') q.set(k, f[k].trim());
  q.set('limit', String(limit));
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}
