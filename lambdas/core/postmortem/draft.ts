/**
 * Drafting a postmortem from the records, pure: the incident, its timeline and alert log (with decision traces),
 * the incidents of the same service around it (the non-events: suppressed, held by maintenance, deduplicated,
 * delayed) and the related incidents of the previous 30 days. Time and author are inputs.
 */
import type { AlertRecord, Incident, TimelineEvent } from '../model/incident';
import type { TraceStep } from '../model/trace';
import { incidentFigures } from '../insights/figures';
import type { Checklist, PostmortemTemplate } from './config';
import type { DetectionFigures, NonEvent, Postmortem, PostmortemFacts, RelatedIncident, TimelineLine } from './model';

export interface DraftInput {
  incident: Incident;
  timeline: readonly TimelineEvent[];
  alerts: readonly AlertRecord[];
  /** Incidents of the same service opened in the window (the incident itself may be among them), with alert logs. */
  neighbours: ReadonlyArray<{ incident: Incident; alerts: readonly AlertRecord[] }>;
  /** Incidents of the same fingerprint or service opened in the 30 days before this one. */
  related: readonly Incident[];
  template: PostmortemTemplate;
  checklists: readonly Checklist[];
  window: { from: string; to: string };
  nowIso: string;
  by: string;
}

/** How far back related incidents are searched. */
export const RELATED_DAYS = 30;
/** At most this many related incidents and non-events are listed (the newest related, the earliest non-events). */
export const RELATED_MAX = 50;
export const NON_EVENTS_MAX = 500;
/** The drafted timeline keeps the first this many lines (the document must fit one DynamoDB item). */
export const TIMELINE_MAX = 2000;

/** The window searched for non-events: from `minutes` before opening to `minutes` after resolving (or now). */
export function nonEventWindow(incident: Incident, minutes: number, nowIso: string): { from: string; to: string } {
  const pad = minutes * 60_000;
  const end = incident.resolvedAt ?? nowIso;
  const first = [incident.openedAt, incident.firstAlert.occurredAt].sort()[0]!;
  return { from: new Date(Date.parse(first) - pad).toISOString(), to: new Date(Date.parse(end) + pad).toISOString() };
}

export function draftPostmortem(input: DraftInput): Postmortem {
  const { incident, template, nowIso, by } = input;
  const facts: PostmortemFacts = {
    incident: {
      id: incident.id, title: incident.title, service: incident.route.service, team: incident.route.team, severity: incident.severity,
      status: incident.status, source: incident.source, rule: incident.route.rule, openedAt: incident.openedAt, resolvedAt: incident.resolvedAt,
      alertCount: incident.alertCount,
    },
    detection: detectionFigures(incident, input.timeline, input.alerts),
    timeline: timelineOf(input.timeline, input.alerts),
    nonEvents: nonEventsOf(incident, input.alerts, input.neighbours, input.window),
    related: relatedOf(incident, input.related),
    window: input.window,
  };
  const byName = new Map(input.checklists.map((c) => [c.name, c]));
  return {
    incidentId: incident.id,
    template: template.name,
    status: 'draft',
    version: 1,
    createdAt: nowIso,
    createdBy: by,
    updatedAt: nowIso,
    updatedBy: by,
    sections: template.sections.map((s) => ({ id: s.id, title: s.title, prompt: s.prompt, text: '' })),
    checklists: template.checklists.flatMap((name) => {
      const c = byName.get(name);
      return c ? [{ name, items: c.items.map((text, i) => ({ id: `${i + 1}`, text, done: false })) }] : [];
    }),
    actionItems: [],
    facts,
    history: [{ version: 1, at: nowIso, by, changes: ['created'] }],
    published: null,
  };
}

const seconds = (from: string | null, to: string | null): number | null =>
  from === null || to === null ? null : Math.round((Date.parse(to) - Date.parse(from)) / 1000);

const minIso = (values: Array<string | null | undefined>): string | null => {
  const present = values.filter((v): v is string => typeof v === 'string');
  return present.length === 0 ? null : present.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
};

/**
 * First raw signal -> first page -> first acknowledgement -> resolve: the points are the incident figures analytics
 * uses (`insights/figures.ts`); the first raw signal also looks at the alert log's source times.
 */
export function detectionFigures(incident: Incident, timeline: readonly TimelineEvent[], alerts: readonly AlertRecord[]): DetectionFigures {
  const figures = incidentFigures(incident, timeline);
  const firstSignalAt = minIso([figures.firstSignalAt, ...alerts.map((a) => a.occurredAt)]) ?? incident.openedAt;
  const { firstPageAt, firstNotificationAt, firstAckAt, resolvedAt } = figures;
  const opener = alerts.find((a) => a.trace.steps.some((s) => s.stage === 'delay' && s.outcome === 'delayed'));
  const delay = opener?.trace.steps.find((s) => s.stage === 'delay' && s.outcome === 'delayed');
  const heldBy = incident.holdMinutes !== null
    ? { rule: typeof delay?.data?.rule === 'string' ? delay.data.rule : 'delay rule', minutes: incident.holdMinutes }
    : null;
  return {
    firstSignalAt,
    openedAt: incident.openedAt,
    firstPageAt,
    firstNotificationAt,
    firstAckAt,
    resolvedAt,
    signalToPageSeconds: seconds(firstSignalAt, firstPageAt),
    pageToAckSeconds: seconds(firstPageAt, firstAckAt),
    signalToAckSeconds: seconds(firstSignalAt, firstAckAt),
    signalToResolveSeconds: seconds(firstSignalAt, resolvedAt),
    heldBy,
  };
}

/** Alerts (by source time) and timeline events, oldest first; events of one instant keep their stored order. */
export function timelineOf(events: readonly TimelineEvent[], alerts: readonly AlertRecord[]): TimelineLine[] {
  const lines: Array<TimelineLine & { order: number }> = [];
  alerts.forEach((a, i) => {
    const dedup = a.trace.steps.find((s) => s.stage === 'deduplicate');
    lines.push({ at: a.occurredAt, kind: 'alert', actor: a.source, text: `${a.action}: ${a.title}${dedup ? ` (${dedup.reason})` : ''}`, order: i });
  });
  events.forEach((e, i) => lines.push({ at: e.at, kind: e.type, actor: e.actor, text: e.message, order: alerts.length + i }));
  lines.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.order - b.order);
  return lines.slice(0, TIMELINE_MAX).map(({ order: _o, ...line }) => line);
}

const find = (steps: readonly TraceStep[], stage: TraceStep['stage'], outcomes: readonly string[]) =>
  steps.find((s) => s.stage === stage && outcomes.includes(s.outcome));
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** What an alert's trace says about why it did not page (or not at once); null when it paged normally. */
export function nonEventOfAlert(incident: Incident, a: AlertRecord): NonEvent | null {
  const steps = a.trace.steps;
  const base = { at: a.occurredAt, incidentId: incident.id, title: a.title };
  const sup = find(steps, 'suppress', ['suppressed', 'maintenance']);
  if (sup) {
    const maintenance = sup.outcome === 'maintenance';
    return { ...base, kind: maintenance ? 'maintenance' : 'suppressed', rule: maintenance ? `maintenance:${str(sup.data?.window) ?? '?'}` : str(sup.data?.rule), reason: sup.reason };
  }
  const dedup = find(steps, 'deduplicate', ['joined', 'duplicate', 'stale', 'ignored', 'recorded']);
  if (dedup && (dedup.outcome === 'joined' || dedup.outcome === 'duplicate')) {
    const byRule = find(steps, 'fingerprint', ['dedup-rule']);
    const identity = find(steps, 'fingerprint', ['computed', 'rule']);
    const fields = identity?.data?.inputs && typeof identity.data.inputs === 'object' ? Object.keys(identity.data.inputs as object).join(',') : '';
    return { ...base, kind: 'deduplicated', rule: byRule ? str(byRule.data?.rule) : `identity:${fields || 'fingerprint'}`, reason: dedup.reason };
  }
  if (dedup && (dedup.outcome === 'stale' || dedup.outcome === 'ignored' || dedup.outcome === 'recorded')) {
    return { ...base, kind: dedup.outcome === 'stale' ? 'stale' : 'ignored', rule: null, reason: dedup.reason };
  }
  const delay = find(steps, 'delay', ['delayed']);
  if (delay) return { ...base, kind: 'delayed', rule: str(delay.data?.rule), reason: delay.reason };
  return null;
}

/**
 * The non-events: alerts of the incident and of its service's incidents in the window that were suppressed,
 * held by maintenance, deduplicated or delayed, each with the rule and reason from its trace. A suppressed
 * incident whose alerts were not logged still appears once, with the reason on the incident.
 */
export function nonEventsOf(
  incident: Incident,
  alerts: readonly AlertRecord[],
  neighbours: DraftInput['neighbours'],
  window: { from: string; to: string },
): NonEvent[] {
  const [from, to] = [Date.parse(window.from), Date.parse(window.to)];
  const inWindow = (at: string) => Date.parse(at) >= from && Date.parse(at) <= to;
  const out: NonEvent[] = [];
  const groups = [{ incident, alerts }, ...neighbours.filter((n) => n.incident.id !== incident.id)];
  for (const g of groups) {
    const found = g.alerts.map((a) => nonEventOfAlert(g.incident, a)).filter((e): e is NonEvent => e !== null && inWindow(e.at));
    const unlogged = g.incident.alertCount - g.incident.alertsLogged;
    if (found.length === 0 && g.incident.suppressionReason !== null && g.incident.id !== incident.id && inWindow(g.incident.firstAlert.occurredAt)) {
      const maintenance = g.incident.suppressionReason.startsWith('maintenance: ');
      found.push({
        kind: maintenance ? 'maintenance' : 'suppressed', at: g.incident.firstAlert.occurredAt, incidentId: g.incident.id, title: g.incident.title,
        rule: maintenance ? `maintenance:${g.incident.suppressionReason.slice('maintenance: '.length).split(':')[0]}` : null, reason: g.incident.suppressionReason,
      });
    }
    const last = found[found.length - 1];
    if (last && unlogged > 0) last.alsoCounted = unlogged;
    out.push(...found);
  }
  out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.incidentId.localeCompare(b.incidentId));
  return out.slice(0, NON_EVENTS_MAX);
}

/** Same fingerprint first, then same service; newest first; never the incident itself. */
export function relatedOf(incident: Incident, candidates: readonly Incident[]): RelatedIncident[] {
  const since = Date.parse(incident.openedAt) - RELATED_DAYS * 86_400_000;
  const seen = new Set<string>([incident.id]);
  const out: RelatedIncident[] = [];
  const sorted = [...candidates].sort((a, b) => Date.parse(b.openedAt) - Date.parse(a.openedAt));
  for (const match of ['fingerprint', 'service'] as const) {
    for (const c of sorted) {
      if (seen.has(c.id)) continue;
      const t = Date.parse(c.openedAt);
      if (t < since || t > Date.parse(incident.openedAt)) continue;
      if (match === 'fingerprint' ? c.fingerprint !== incident.fingerprint : c.route.service !== incident.route.service) continue;
      seen.add(c.id);
      out.push({ id: c.id, title: c.title, status: c.status, openedAt: c.openedAt, match });
    }
  }
  return out.slice(0, RELATED_MAX);
}
