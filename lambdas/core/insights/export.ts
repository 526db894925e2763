/**
 * The incident export (docs/insights.md §Export): one row per incident with the columns users expect from their
 * tools plus ours, read page by page from the store. The caller writes the rows (CSV or JSON) as they come; at most
 * `maxRows` are read per call, and the store's cursor names the next part.
 */
import type { Incident, TimelineEvent } from '../model/incident';
import type { IncidentPage, IncidentQuery } from '../ports';
import { incidentFigures, type IncidentFigures } from './figures';

export const EXPORT_COLUMNS = [
  'incident_id', 'title', 'service', 'team', 'escalation_policy', 'severity', 'status', 'source', 'tags',
  'created', 'acknowledged', 'resolved', 'seconds_to_ack', 'seconds_to_resolve', 'escalations', 'auto_resolved',
  'interruptions', 'source_url',
  // ours
  'route_rule', 'fingerprint', 'alert_count', 'suppressed_by', 'maintenance_window', 'seconds_to_know', 'incident_url',
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
export type ExportRow = Record<ExportColumn, string | number | boolean | null>;

/** Tags as one cell: `key=value` pairs sorted by key, separated by `;` (`\`, `;` and `=` escaped with `\`). */
export function formatTags(tags: Readonly<Record<string, string>>): string {
  const esc = (s: string) => s.replace(/[\\;=]/g, (c) => `\\${c}`);
  return Object.keys(tags).sort().map((k) => `${esc(k)}=${esc(tags[k]!)}`).join(';');
}

/** The inverse of formatTags. */
export function parseTags(cell: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (cell === '') return out;
  let key = '';
  let cur = '';
  let inValue = false;
  for (let i = 0; i < cell.length; i++) {
    const c = cell[i]!;
    if (c === '\\' && i + 1 < cell.length) cur += cell[++i];
    else if (c === '=' && !inValue) { key = cur; cur = ''; inValue = true; }
    else if (c === ';') { out[key] = cur; key = ''; cur = ''; inValue = false; }
    else cur += c;
  }
  out[key] = cur;
  return out;
}

/**
 * A cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a
 * leading `'`, which spreadsheets show as text (the OWASP CSV-injection advice).
 */
export function neutralizeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function exportRow(incident: Incident, f: IncidentFigures, incidentUrl: string): ExportRow {
  const by = incident.status === 'suppressed' ? (incident.suppressedBy ?? null) : null;
  return {
    incident_id: incident.id,
    title: incident.title,
    service: incident.route.service,
    team: incident.route.team,
    escalation_policy: incident.route.escalationPolicy,
    severity: incident.severity,
    status: incident.status,
    source: incident.source,
    tags: formatTags(incident.tags),
    created: incident.openedAt,
    acknowledged: f.firstAckAt,
    resolved: f.resolvedAt,
    seconds_to_ack: f.secondsToAck,
    seconds_to_resolve: f.secondsToResolve,
    escalations: f.escalations,
    auto_resolved: f.autoResolved,
    interruptions: f.interruptions.length,
    source_url: incident.alertUrl,
    route_rule: incident.route.rule,
    fingerprint: incident.fingerprint,
    alert_count: incident.alertCount,
    suppressed_by: by,
    maintenance_window: by !== null && by.startsWith('maintenance:') ? by.slice('maintenance:'.length) : null,
    seconds_to_know: f.secondsToKnow,
    incident_url: incidentUrl,
  };
}

/** The same row as CSV cells: text, empty for null, every text cell neutralized. */
export function csvCells(row: ExportRow): string[] {
  return EXPORT_COLUMNS.map((c) => {
    const v = row[c];
    if (v === null) return '';
    if (typeof v === 'string') return neutralizeCell(v);
    return String(v);
  });
}

export interface ExportSource {
  listIncidents(query: IncidentQuery): Promise<IncidentPage>;
  timeline(id: string): Promise<TimelineEvent[]>;
}

export interface ExportOptions {
  cursor?: string | undefined;
  /** Rows read by this call at most (a multiple of pageSize keeps parts aligned with store pages). */
  maxRows: number;
  pageSize: number;
  incidentUrl(id: string): string;
}

/**
 * Reads incidents page by page (timelines of one page concurrently) and hands each row to `write` before reading
 * the next page; never holds more than one page. Returns the rows written and the cursor of the next part.
 */
export async function exportIncidents(
  source: ExportSource,
  query: Omit<IncidentQuery, 'limit' | 'cursor'>,
  options: ExportOptions,
  write: (row: ExportRow) => void,
): Promise<{ rows: number; nextCursor: string | null }> {
  let cursor = options.cursor;
  let rows = 0;
  for (;;) {
    const limit = Math.min(options.pageSize, options.maxRows - rows);
    const page = await source.listIncidents({ ...query, limit, cursor });
    const timelines = await Promise.all(page.items.map((i) => source.timeline(i.id)));
    page.items.forEach((inc, i) => write(exportRow(inc, incidentFigures(inc, timelines[i]!), options.incidentUrl(inc.id))));
    rows += page.items.length;
    if (page.cursor === null) return { rows, nextCursor: null };
    if (rows >= options.maxRows) return { rows, nextCursor: page.cursor };
    cursor = page.cursor;
  }
}
