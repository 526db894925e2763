/**
 * Stage "inhibit" (after "deduplicate / open or update incident", before "escalate"): the service dependencies of
 * the config hold pages, as Alertmanager's `inhibit_rules` do. While a service has an open incident at or above an
 * edge's `inhibitAtOrAbove` severity, a new incident of a service that depends on it over that edge is opened but
 * held from paging: it carries `inhibitedBy` (the upstream incident), a trace step `inhibit`/`held` with reason
 * `inhibited-by-dependency`, and an `inhibited` timeline entry. When the upstream incident is no longer open
 * (resolved by its source, by a person, by auto-resolve or a dedup window), a held incident that is still
 * triggered pages at once (`releaseHeldBy`, called where those resolves happen; the sweeper releases whatever is
 * left every minute).
 *
 * The decisions are pure (`inhibitorOf`, `holdInhibited`, `releaseInhibited`); `openUpstreamIncidents`,
 * `releaseHeldBy` and `releaseOrphans` work over the ports.
 */
import { SEVERITIES, type Severity } from './model/alert';
import type { Incident, TimelineEvent } from './model/incident';
import { isOpen } from './model/incident';
import { REASONS } from './model/reasons';
import { step } from './model/trace';
import type { IncidentPlan } from './deduplicate';
import type { Transition } from './lifecycle';
import type { Clock, Escalator, IncidentStore } from './ports';
import { dependencyEdges, type ServicesWithDependencies } from './status/dependencies';

/** One dependency edge that inhibits: `from` depends on `to`; `from`'s pages are held while `to` has an open
 * incident of `inhibitAtOrAbove` or worse. */
export interface InhibitEdge {
  from: string;
  to: string;
  inhibitAtOrAbove: Severity;
}

/** The edges of `dependencyEdges(config)` that inhibit (the others have no `inhibitAtOrAbove`). */
export function inhibitEdgesOf(edges: ReadonlyArray<{ from: string; to: string; inhibitAtOrAbove?: Severity | undefined }>): InhibitEdge[] {
  return edges.flatMap((e) => (e.inhibitAtOrAbove ? [{ from: e.from, to: e.to, inhibitAtOrAbove: e.inhibitAtOrAbove }] : []));
}

/** The inhibiting edges of a config (`services[].dependsOn[].inhibitAtOrAbove`). */
export function inhibitEdgesOfConfig(config: ServicesWithDependencies): InhibitEdge[] {
  return inhibitEdgesOf(dependencyEdges(config));
}

/** Whether `severity` is `threshold` or worse (sev1 is the worst). */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/** Why a new incident of a service is held: the upstream incident and the edge that holds it. */
export interface Inhibitor {
  incident: Incident;
  edge: InhibitEdge;
}

/**
 * The upstream incident that holds a new incident of `service`, or null. `openByService` gives the open incidents
 * of a service. Among several candidates the worst severity wins, then the oldest (a deterministic choice).
 */
export function inhibitorOf(service: string, edges: readonly InhibitEdge[], openByService: (service: string) => readonly Incident[]): Inhibitor | null {
  let best: Inhibitor | null = null;
  for (const edge of edges) {
    if (edge.from !== service) continue;
    for (const inc of openByService(edge.to)) {
      if (!isOpen(inc.status) || inc.route.service !== edge.to || !atOrAbove(inc.severity, edge.inhibitAtOrAbove)) continue;
      if (
        best === null ||
        SEVERITIES.indexOf(inc.severity) < SEVERITIES.indexOf(best.incident.severity) ||
        (inc.severity === best.incident.severity && (inc.openedAt < best.incident.openedAt || (inc.openedAt === best.incident.openedAt && inc.id < best.incident.id)))
      ) {
        best = { incident: inc, edge };
      }
    }
  }
  return best;
}

/** Whether an incident is held by an inhibition now (opened held, not released, still triggered). */
export function isHeld(inc: Incident): boolean {
  return inc.inhibitedBy !== undefined && inc.inhibitionReleasedAt === undefined && inc.status === 'triggered' && inc.escalation === 'none';
}

/**
 * The stage on a plan of `planIncidentChanges`: every incident the plan opens to page whose service is held by an
 * upstream incident is marked `inhibitedBy`, does not start escalation (`escalation: 'none'`, out of `pages`), gets
 * an `inhibited` timeline entry, and its opening alert's outcome and alert-log trace get the step `inhibit`/`held`.
 * Returns a new plan; the input is not changed.
 */
export function holdInhibited(plan: IncidentPlan, inhibitorFor: (service: string) => Inhibitor | null, now: string): IncidentPlan {
  const held = new Map<string, Inhibitor>();
  const creates = plan.creates.map((inc) => {
    if (inc.status !== 'triggered' || inc.escalation !== 'pending') return inc;
    const by = inhibitorFor(inc.route.service);
    if (!by) return inc;
    held.set(inc.id, by);
    return { ...inc, escalation: 'none' as const, inhibitedBy: by.incident.id };
  });
  if (held.size === 0) return plan;

  const stepOf = (incidentId: string) => {
    const by = held.get(incidentId)!;
    const up = by.incident;
    return step('inhibit', 'held',
      `page held: ${by.edge.from} depends on ${by.edge.to}, which has open incident ${up.id} (${up.severity}, ${up.status}, at or above ${by.edge.inhibitAtOrAbove}); it pages at once if still open when ${up.id} resolves`,
      { inhibitedBy: up.id, upstreamService: up.route.service, upstreamSeverity: up.severity, inhibitAtOrAbove: by.edge.inhibitAtOrAbove });
  };
  const opener = new Map(creates.filter((c) => held.has(c.id)).map((c) => [c.id, c.firstAlert.deliveryKey]));
  const isOpener = (incidentId: string | null, deliveryKey: string) => incidentId !== null && opener.get(incidentId) === deliveryKey;

  const timeline: TimelineEvent[] = [];
  for (const ev of plan.timeline) {
    timeline.push(ev);
    const by = held.get(ev.incidentId);
    if (by && ev.type === 'opened') {
      timeline.push({
        incidentId: ev.incidentId, at: now, type: 'inhibited', actor: 'pipeline',
        message: `Page held: ${by.edge.from} depends on ${by.edge.to}, which has open incident ${by.incident.id} (${by.incident.severity}); it pages if still open when that incident resolves`,
        data: { inhibitedBy: by.incident.id, upstreamService: by.edge.to, upstreamSeverity: by.incident.severity, inhibitAtOrAbove: by.edge.inhibitAtOrAbove },
      });
    }
  }
  const update = plan.update;
  return {
    ...plan,
    update,
    creates,
    timeline,
    pages: plan.pages.filter((p) => !held.has(p.id)),
    outcomes: plan.outcomes.map((o) => (isOpener(o.incidentId, o.deliveryKey)
      ? { ...o, reason: REASONS.inhibitedByDependency, trace: [...o.trace, stepOf(o.incidentId!)] }
      : o)),
    alertLog: plan.alertLog.map((r) => (isOpener(r.incidentId, r.deliveryKey)
      ? { ...r, trace: { steps: [...r.trace.steps, stepOf(r.incidentId)] } }
      : r)),
  };
}

/** Releases a held incident: it pages now (escalation pending), with an `inhibition-released` timeline entry. */
export function releaseInhibited(inc: Incident, upstream: Incident | null, now: string): Transition {
  const after: Incident = { ...structuredClone(inc), version: inc.version + 1, updatedAt: now, escalation: 'pending', inhibitionReleasedAt: now };
  const what = upstream === null ? 'no longer exists' : upstream.status === 'resolved' ? `was resolved${upstream.resolvedBy ? ` by ${upstream.resolvedBy}` : ''}` : `is ${upstream.status}`;
  return {
    after,
    events: [{
      incidentId: inc.id, at: now, type: 'inhibition-released', actor: 'pipeline',
      message: `Upstream incident ${inc.inhibitedBy ?? '?'} ${what} and this incident is still open: paging now`,
      data: { inhibitedBy: inc.inhibitedBy, upstreamStatus: upstream?.status ?? null },
    }],
    stopEscalation: false,
  };
}

async function allOpenOf(store: IncidentStore, service: string): Promise<Incident[]> {
  const out: Incident[] = [];
  for (const status of ['triggered', 'acknowledged'] as const) {
    let cursor: string | undefined;
    do {
      const page = await store.listIncidents({ status, service, limit: 100, cursor });
      out.push(...page.items.filter((i) => i.route.service === service && i.status === status));
      cursor = page.cursor ?? undefined;
    } while (cursor);
  }
  return out;
}

/**
 * The open incidents of every upstream service that could hold a new incident of `services` (one index query per
 * upstream service and open status). Nothing is read when no edge inhibits.
 */
export async function openUpstreamIncidents(store: IncidentStore, edges: readonly InhibitEdge[], services: Iterable<string>): Promise<Map<string, Incident[]>> {
  const wanted = new Set<string>();
  for (const s of services) for (const e of edges) if (e.from === s) wanted.add(e.to);
  const out = new Map<string, Incident[]>();
  await Promise.all([...wanted].map(async (up) => out.set(up, await allOpenOf(store, up))));
  return out;
}

/**
 * The inhibitor lookup of one processor batch: the open incidents of the services that `services` depend on over an
 * inhibiting edge, read once (an upstream incident opened by this same batch does not hold its dependents).
 */
export async function batchInhibitor(store: IncidentStore, edges: readonly InhibitEdge[], services: Iterable<string>): Promise<(service: string) => Inhibitor | null> {
  if (edges.length === 0) return () => null;
  const upstream = await openUpstreamIncidents(store, edges, services);
  return (service) => inhibitorOf(service, edges, (s) => upstream.get(s) ?? []);
}

export interface ReleaseDeps {
  store: IncidentStore;
  escalator: Escalator;
  clock: Clock;
  inhibitEdges?: readonly InhibitEdge[] | undefined;
}

const RELEASE_ATTEMPTS = 8;

/** Releases one held incident (re-read, version check, retry), then starts its escalation. */
async function release(deps: Omit<ReleaseDeps, 'inhibitEdges'>, id: string, upstream: Incident | null): Promise<boolean> {
  for (let attempt = 1; attempt <= RELEASE_ATTEMPTS; attempt++) {
    const inc = await deps.store.getIncident(id);
    if (!inc || !isHeld(inc)) return false;
    const t = releaseInhibited(inc, upstream, deps.clock.now().toISOString());
    if ((await deps.store.replaceIncident(inc, t.after)).kind === 'conflict') continue;
    await deps.store.appendTimeline(t.events);
    await deps.escalator.start(t.after);
    for (let a = 1; a <= RELEASE_ATTEMPTS; a++) {
      const cur = await deps.store.getIncident(id);
      if (!cur || cur.escalation !== 'pending') break;
      if ((await deps.store.replaceIncident(cur, { ...cur, version: cur.version + 1, escalation: 'started', updatedAt: deps.clock.now().toISOString() })).kind === 'applied') break;
    }
    return true;
  }
  return false;
}

/**
 * Called where an incident stops being open (the processor, the API, the sweeper): the held incidents of the
 * services that depend on its service over an inhibiting edge, held by it, page now. Returns their ids.
 */
export async function releaseHeldBy(deps: ReleaseDeps, upstream: Incident): Promise<string[]> {
  if (isOpen(upstream.status)) return [];
  const dependents = new Set((deps.inhibitEdges ?? []).filter((e) => e.to === upstream.route.service).map((e) => e.from));
  const released: string[] = [];
  for (const service of dependents) {
    let cursor: string | undefined;
    do {
      const page = await deps.store.listIncidents({ status: 'triggered', service, limit: 100, cursor });
      for (const inc of page.items) {
        if (inc.inhibitedBy === upstream.id && isHeld(inc) && (await release(deps, inc.id, upstream))) released.push(inc.id);
      }
      cursor = page.cursor ?? undefined;
    } while (cursor);
  }
  return released;
}

/**
 * The sweeper's pass: every held incident among `triggered` whose upstream incident is no longer open pages now.
 * Catches what the immediate release missed (a crash between the upstream's resolve and the release, an upstream
 * that resolved while the dependent was being opened). Returns the released ids.
 */
export async function releaseOrphans(deps: Omit<ReleaseDeps, 'inhibitEdges'>, triggered: readonly Incident[]): Promise<string[]> {
  const released: string[] = [];
  const upstreams = new Map<string, Incident | null>();
  for (const inc of triggered) {
    if (!isHeld(inc) || inc.inhibitedBy === undefined) continue;
    let up = upstreams.get(inc.inhibitedBy);
    if (up === undefined) {
      up = await deps.store.getIncident(inc.inhibitedBy);
      upstreams.set(inc.inhibitedBy, up);
    }
    if (up !== null && isOpen(up.status)) continue;
    if (await release(deps, inc.id, up)) released.push(inc.id);
  }
  return released;
}
