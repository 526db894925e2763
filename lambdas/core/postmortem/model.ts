/**
 * Postmortems: a blameless review document of one incident (docs/postmortems.md). Drafted from the incident's
 * timeline and decision traces (draft.ts), edited section by section under a version check (edit.ts), published
 * as Markdown and HTML (render.ts). One postmortem per incident; its id is the incident id.
 */
import type { Severity } from '../model/alert';
import type { IncidentStatus } from '../model/incident';
import type { IncidentFigures } from '../insights/figures';

export const POSTMORTEM_STATUSES = ['draft', 'in_review', 'published'] as const;
export type PostmortemStatus = (typeof POSTMORTEM_STATUSES)[number];

export interface PostmortemSection {
  id: string;
  title: string;
  /** What the section should answer (from the template). */
  prompt: string;
  text: string;
}

export interface ChecklistItem {
  id: string;
  text: string;
  done: boolean;
}

export interface PostmortemChecklist {
  name: string;
  items: ChecklistItem[];
}

export interface ActionItem {
  id: string;
  text: string;
  owner: string | null;
  /** A calendar date, YYYY-MM-DD. */
  due: string | null;
  done: boolean;
}

/** One line of the drafted timeline (alerts, pages, notifications, acknowledgements, notes, status changes...). */
export interface TimelineLine {
  at: string;
  kind: string;
  actor: string;
  text: string;
}

/**
 * Detection figures, all ISO times or null; the `...Seconds` are between consecutive points (null when either
 * end is missing). First raw signal = the earliest source time of an alert of the incident.
 */
export interface DetectionFigures
  extends Pick<IncidentFigures, 'firstSignalAt' | 'openedAt' | 'firstPageAt' | 'firstNotificationAt' | 'firstAckAt' | 'resolvedAt'> {
  signalToPageSeconds: number | null;
  pageToAckSeconds: number | null;
  signalToAckSeconds: number | null;
  signalToResolveSeconds: number | null;
  /** The first page was held by a delay rule (name and minutes), or null. */
  heldBy: { rule: string; minutes: number } | null;
}

export type NonEventKind = 'suppressed' | 'maintenance' | 'deduplicated' | 'delayed' | 'stale' | 'ignored';

/** An alert around the incident that did not page (or not at once), with the rule and reason from its trace. */
export interface NonEvent {
  kind: NonEventKind;
  at: string;
  incidentId: string;
  title: string;
  /** The rule (suppression/delay/dedup rule, `maintenance:<window>`) or null when no rule decided it. */
  rule: string | null;
  reason: string;
  /** Alerts of that incident counted but not logged with a trace (beyond the alert log limit). */
  alsoCounted?: number;
}

export interface RelatedIncident {
  id: string;
  title: string;
  status: IncidentStatus;
  openedAt: string;
  /** Why it is related. */
  match: 'fingerprint' | 'service';
}

/** What the draft computed from the records; kept as drafted (not editable). */
export interface PostmortemFacts {
  incident: {
    id: string;
    title: string;
    service: string;
    team: string | null;
    severity: Severity;
    status: IncidentStatus;
    source: string;
    rule: string;
    openedAt: string;
    resolvedAt: string | null;
    alertCount: number;
  };
  detection: DetectionFigures;
  timeline: TimelineLine[];
  nonEvents: NonEvent[];
  related: RelatedIncident[];
  /** The window searched for non-events. */
  window: { from: string; to: string };
}

export interface Revision {
  version: number;
  at: string;
  by: string;
  /** What changed: `created`, `sections.impact`, `actionItems`, `status:in_review`... */
  changes: string[];
}

export interface PublishedDocument {
  at: string;
  by: string;
  version: number;
  markdownKey: string;
  htmlKey: string;
}

export interface Postmortem {
  incidentId: string;
  template: string;
  status: PostmortemStatus;
  /** Optimistic-concurrency version: 1 when drafted, +1 on every edit. */
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  sections: PostmortemSection[];
  checklists: PostmortemChecklist[];
  actionItems: ActionItem[];
  facts: PostmortemFacts;
  /** Every edit with its author, oldest first (the last REVISIONS_KEPT). */
  history: Revision[];
  published: PublishedDocument | null;
}

export const REVISIONS_KEPT = 200;

/** What the list of postmortems shows of one (GET /api/postmortems): no sections, timeline or history. */
export interface PostmortemSummary {
  incidentId: string;
  title: string;
  service: string;
  team: string | null;
  severity: Severity;
  /** The incident's opening time: the list's order and time range. */
  openedAt: string;
  status: PostmortemStatus;
  version: number;
  template: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  actionItems: { total: number; open: number };
  /** The published version, when it is published. */
  published: { at: string; by: string; version: number } | null;
}

export function summaryOf(pm: Postmortem): PostmortemSummary {
  const inc = pm.facts.incident;
  return {
    incidentId: pm.incidentId,
    title: inc.title,
    service: inc.service,
    team: inc.team,
    severity: inc.severity,
    openedAt: inc.openedAt,
    status: pm.status,
    version: pm.version,
    template: pm.template,
    createdAt: pm.createdAt,
    createdBy: pm.createdBy,
    updatedAt: pm.updatedAt,
    updatedBy: pm.updatedBy,
    actionItems: { total: pm.actionItems.length, open: pm.actionItems.filter((a) => !a.done).length },
    published: pm.published ? { at: pm.published.at, by: pm.published.by, version: pm.published.version } : null,
  };
}

/** Does a postmortem summary pass the list's filters (status, service, team, opened-at range)? */
export function matchesPostmortemQuery(s: PostmortemSummary, q: PostmortemListFilters): boolean {
  return (!q.status || s.status === q.status) && (!q.service || s.service === q.service) && (!q.team || s.team === q.team)
    && (!q.from || s.openedAt >= q.from) && (!q.to || s.openedAt <= `${q.to}~`);
}

/** The filters of the list of postmortems (ISO bounds on the incident's openedAt, inclusive). */
export interface PostmortemListFilters {
  status?: PostmortemStatus | undefined;
  service?: string | undefined;
  team?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}
