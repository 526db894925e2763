/**
 * Incident list filters. Status, service, severity, tag and the time range go to the API; team and source are
 * applied to the page the API answered (the list API has no such parameters); export uses the same filters.
 */
import type { PublicIncident } from '../types';

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

const SERVER_KEYS = ['status', 'severity', 'service', 'tag', 'from', 'to'] as const;

/** The query string of GET /api/incidents for these filters (empty ones left out). */
export function listQuery(f: IncidentFilters, limit = 100): string {
  const q = new URLSearchParams();
  for (const k of SERVER_KEYS) if (f[k].trim() !== '') q.set(k, f[k].trim());
  q.set('limit', String(limit));
  return q.toString();
}

/** The filters the API does not apply (team, source), applied to a page of incidents. */
export function applyClientFilters<T extends Pick<PublicIncident, 'source' | 'route'>>(items: T[], f: IncidentFilters): T[] {
  return items.filter((i) => (f.team === '' || i.route.team === f.team) && (f.source === '' || i.source === f.source));
}

/** GET /api/export (CSV) with the current filters; the export API takes source too (not team). */
export function exportQuery(f: IncidentFilters, format: 'csv' | 'json' = 'csv'): string {
  const q = new URLSearchParams({ format });
  for (const k of [...SERVER_KEYS, 'source'] as const) if (f[k].trim() !== '') q.set(k, f[k].trim());
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
