/**
 * Replay: the difference between two simulations of the same deliveries, one through the current config and one
 * through a candidate. Alerts are paired by position (delivery, then alert within it), so both runs must be fed the
 * same deliveries in the same order (scripts/replay.ts does). Pure; the report is plain text or JSON.
 *
 * What differs, per alert:
 *   pages        it would page under one config and not the other
 *   route        service or escalation policy
 *   suppression  suppressed or not, or by another rule / window
 *   grouping     it lands in a different incident structure: it opens an incident under one config and joins one
 *                under the other, or joins an incident opened by another alert
 *   severity     the classified severity
 */
import type { SimulatedAlert, RejectedDelivery, SimulatedIncident, SimulationResult } from './simulate';

export const CHANGE_KINDS = ['pages', 'route', 'suppression', 'grouping', 'severity'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface AlertChange {
  kind: ChangeKind;
  current: unknown;
  candidate: unknown;
  /** One line: `route: platform/default (rule default) -> security/security-urgent (rule firewall-to-security)`. */
  text: string;
}

export interface AlertDifference {
  deliveryIndex: number;
  alertIndex: number;
  deliveryKey: string;
  at: string;
  source: string;
  title: string;
  changes: AlertChange[];
}

export interface ReplayDiff {
  deliveries: number;
  /** Alerts seen by both runs (the ones compared). */
  alerts: number;
  differences: AlertDifference[];
  totals: Record<ChangeKind, number> & { alertsDifferent: number };
  incidents: { current: number; candidate: number };
  /** Deliveries one config rejects and the other accepts (webhook mappings, CloudWatch default severity...). */
  rejectedOnlyBy: { current: RejectedDelivery[]; candidate: RejectedDelivery[] };
  /** Deliveries both reject. */
  rejectedByBoth: number;
  /** Alerts one run has and the other does not (the same body normalized to a different number of alerts). */
  unpaired: { current: number; candidate: number };
}

type Opener = string | null;
const posKey = (d: number, a: number) => `${d}:${a}`;

interface Side {
  byPos: Map<string, SimulatedAlert>;
  incidents: Map<string, SimulatedIncident>;
}

function sideOf(r: SimulationResult): Side {
  return {
    byPos: new Map(r.alerts.map((a) => [posKey(a.deliveryIndex, a.alertIndex), a])),
    incidents: new Map(r.incidents.map((i) => [i.label, i])),
  };
}

function openerOf(a: SimulatedAlert, side: Side): Opener {
  if (a.incident === null) return null;
  const inc = side.incidents.get(a.incident);
  return inc ? posKey(inc.openedBy.deliveryIndex, inc.openedBy.alertIndex) : `?${a.incident}`;
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');
const policy = (p: string | null) => p ?? 'no policy';

function routeText(a: SimulatedAlert): string {
  return `${a.route.service}/${policy(a.route.escalationPolicy)} (rule ${a.route.rule})`;
}

function suppressionText(a: SimulatedAlert): string {
  const s = a.suppression;
  if (!s) return 'none';
  return s.rule ? `${s.rule} (${s.reason})` : s.reason;
}

function whyNoPage(a: SimulatedAlert): string {
  if (a.pages) return a.pageAt && a.pageAt !== a.at ? `opens ${a.incident}, pages at ${a.pageAt}` : `opens ${a.incident}`;
  if (a.suppression) return `suppressed: ${a.suppression.rule ?? a.suppression.reason}`;
  return `${a.outcome}${a.incident ? ` ${a.incident}` : ''}`;
}

function grouping(a: SimulatedAlert, side: Side, gerund: boolean): string {
  if (a.incident === null) return gerund ? `opening no incident (${a.outcome})` : `opens no incident (${a.outcome})`;
  const opener = openerOf(a, side);
  if (opener === posKey(a.deliveryIndex, a.alertIndex)) return `${gerund ? 'opening' : 'opens'} ${a.incident}`;
  const inc = side.incidents.get(a.incident);
  return `${gerund ? 'joining' : 'joins'} ${a.incident}${inc ? ` (opened by ${inc.openedBy.deliveryKey})` : ''}`;
}

/** Compares two simulations of the same deliveries. */
export function diffSimulations(current: SimulationResult, candidate: SimulationResult): ReplayDiff {
  const cur = sideOf(current);
  const cand = sideOf(candidate);
  const totals: ReplayDiff['totals'] = { pages: 0, route: 0, suppression: 0, grouping: 0, severity: 0, alertsDifferent: 0 };
  const differences: AlertDifference[] = [];
  let compared = 0;
  let unpairedCurrent = 0;

  for (const a of current.alerts) {
    const b = cand.byPos.get(posKey(a.deliveryIndex, a.alertIndex));
    if (!b || b.deliveryKey !== a.deliveryKey) {
      unpairedCurrent++;
      continue;
    }
    compared++;
    // A delivery both runs saw before is skipped before any rule runs (duplicate-delivery): nothing to compare.
    if (a.outcome === 'duplicate' && b.outcome === 'duplicate') continue;
    const changes: AlertChange[] = [];
    if (a.pages !== b.pages) {
      changes.push({ kind: 'pages', current: a.pages, candidate: b.pages, text: `pages: ${yesNo(a.pages)} -> ${yesNo(b.pages)} (${whyNoPage(b)}; was ${whyNoPage(a)})` });
    }
    if (a.route.service !== b.route.service || a.route.escalationPolicy !== b.route.escalationPolicy) {
      changes.push({ kind: 'route', current: a.route, candidate: b.route, text: `route: ${routeText(a)} -> ${routeText(b)}` });
    }
    if ((a.suppression?.reason ?? null) !== (b.suppression?.reason ?? null) || (a.suppression?.rule ?? null) !== (b.suppression?.rule ?? null)) {
      changes.push({ kind: 'suppression', current: a.suppression, candidate: b.suppression, text: `suppression: ${suppressionText(a)} -> ${suppressionText(b)}` });
    }
    if (openerOf(a, cur) !== openerOf(b, cand) && (a.incident !== null || b.incident !== null)) {
      changes.push({
        kind: 'grouping',
        current: { incident: a.incident, outcome: a.outcome },
        candidate: { incident: b.incident, outcome: b.outcome },
        text: `grouping: ${grouping(b, cand, false)} instead of ${grouping(a, cur, true)}`,
      });
    }
    if (a.severity !== b.severity) changes.push({ kind: 'severity', current: a.severity, candidate: b.severity, text: `severity: ${a.severity} -> ${b.severity}` });
    if (changes.length === 0) continue;
    for (const c of changes) totals[c.kind]++;
    totals.alertsDifferent++;
    differences.push({ deliveryIndex: a.deliveryIndex, alertIndex: a.alertIndex, deliveryKey: a.deliveryKey, at: a.at, source: a.source, title: a.title, changes });
  }

  const rejectedCur = new Map(current.rejected.map((r) => [r.deliveryIndex, r]));
  const rejectedCand = new Map(candidate.rejected.map((r) => [r.deliveryIndex, r]));
  return {
    deliveries: Math.max(current.deliveries, candidate.deliveries),
    alerts: compared,
    differences,
    totals,
    incidents: { current: current.incidents.length, candidate: candidate.incidents.length },
    rejectedOnlyBy: {
      current: current.rejected.filter((r) => !rejectedCand.has(r.deliveryIndex)),
      candidate: candidate.rejected.filter((r) => !rejectedCur.has(r.deliveryIndex)),
    },
    rejectedByBoth: current.rejected.filter((r) => rejectedCand.has(r.deliveryIndex)).length,
    unpaired: { current: unpairedCurrent, candidate: candidate.alerts.length - compared },
  };
}

const n = (v: number) => v.toLocaleString('en-US');

/** The totals line: `1,234 alerts replayed: 12 page differently, 30 route differently, ...`. */
export function totalsLine(diff: ReplayDiff): string {
  const t = diff.totals;
  return (
    `${n(diff.alerts)} alert${diff.alerts === 1 ? '' : 's'} replayed: ${n(t.pages)} page differently, ${n(t.route)} route differently, ` +
    `${n(t.suppression)} suppressed differently, ${n(t.grouping)} group differently, ${n(t.severity)} change severity`
  );
}

/** The plain-text report: one block per alert that differs, then the totals. */
export function formatReplayReport(diff: ReplayDiff, options: { maxDifferences?: number } = {}): string {
  const max = options.maxDifferences ?? Number.POSITIVE_INFINITY;
  const lines: string[] = [];
  for (const d of diff.differences.slice(0, max)) {
    lines.push(`${d.at}  ${d.source}  ${d.deliveryKey}  ${JSON.stringify(d.title)}`);
    for (const c of d.changes) lines.push(`  ${c.text}`);
  }
  if (diff.differences.length > max) lines.push(`... and ${n(diff.differences.length - max)} more alerts that differ (--json lists them all)`);
  for (const r of diff.rejectedOnlyBy.current) lines.push(`${r.at}  delivery ${r.deliveryIndex + 1} (${r.source ?? '?'} via ${r.via ?? '?'}) rejected by the current config only: ${r.error}`);
  for (const r of diff.rejectedOnlyBy.candidate) lines.push(`${r.at}  delivery ${r.deliveryIndex + 1} (${r.source ?? '?'} via ${r.via ?? '?'}) rejected by the candidate config only: ${r.error}`);
  if (lines.length > 0) lines.push('');
  lines.push(totalsLine(diff));
  const extra: string[] = [`incidents: ${n(diff.incidents.current)} current, ${n(diff.incidents.candidate)} candidate`];
  if (diff.rejectedByBoth > 0) extra.push(`${n(diff.rejectedByBoth)} bodies rejected by both configs`);
  if (diff.unpaired.current + diff.unpaired.candidate > 0) extra.push(`${n(diff.unpaired.current)} alerts only in current, ${n(diff.unpaired.candidate)} only in candidate`);
  lines.push(extra.join('; '));
  return lines.join('\n');
}
