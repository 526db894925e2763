/**
 * Component status derivation. Pure: the open incidents, the public maintenance windows in effect, the overrides
 * and the time are inputs.
 *
 * For every service (components and the services they depend on):
 *   1. an override in effect (start <= now < end) wins; the latest-starting one if several;
 *   2. else a public maintenance window in effect covering the service -> under_maintenance;
 *   3. else the worst of: its counted incidents (severity -> status per `severityStatus`; suppressed and resolved
 *      incidents never count) and its dependencies' statuses along each edge (`same`: the dependency's status,
 *      `degrade`: at most degraded_performance, `none`: nothing). A dependency under maintenance does not
 *      propagate (planned work is announced on its own component).
 * Every status carries its why. The config has no dependency cycles (a synth error); a cycle guard stays anyway.
 */
import type { Incident, IncidentStatus } from '../model/incident';
import type { Severity } from '../model/alert';
import type { DependencyEdge } from './dependencies';
import { worst, type ComponentState, type ComponentStatus, type OutageStatus, type StatusOverride, type StatusWhy } from './model';

export interface ActiveWindow {
  name: string;
  services: string[];
  /** When the occurrence in effect ends (ISO). */
  end: string;
}

export interface DeriveInput {
  services: readonly string[];
  edges: readonly DependencyEdge[];
  severityStatus: Record<Severity, ComponentStatus>;
  countStatuses: readonly IncidentStatus[];
  incidents: readonly Incident[];
  /** Public maintenance windows in effect now. */
  windows: readonly ActiveWindow[];
  overrides: readonly StatusOverride[];
  now: Date;
}

const asOutage = (s: ComponentStatus): OutageStatus => (s === 'under_maintenance' ? 'operational' : s);

export function deriveStatuses(input: DeriveInput): Map<string, ComponentState> {
  const nowIso = input.now.toISOString();
  const counted = input.incidents.filter((i) => i.status !== 'suppressed' && i.status !== 'resolved' && input.countStatuses.includes(i.status));
  const out = new Map<string, ComponentState>();
  const visiting = new Set<string>();

  const stateOf = (service: string): ComponentState => {
    const done = out.get(service);
    if (done) return done;
    if (visiting.has(service)) return { service, status: 'operational', why: [] };
    visiting.add(service);
    const state = compute(service);
    visiting.delete(service);
    out.set(service, state);
    return state;
  };

  const compute = (service: string): ComponentState => {
    const override = input.overrides
      .filter((o) => o.service === service && o.start <= nowIso && nowIso < o.end)
      .sort((a, b) => b.start.localeCompare(a.start))[0];
    if (override) {
      return { service, status: override.status, why: [{ kind: 'override', id: override.id, status: override.status, until: override.end, reason: override.reason ?? null }] };
    }
    const window = input.windows.find((w) => w.services.includes(service));
    if (window) return { service, status: 'under_maintenance', why: [{ kind: 'maintenance', name: window.name, until: window.end }] };

    let status: OutageStatus = 'operational';
    const why: StatusWhy[] = [];
    for (const inc of counted.filter((i) => i.route.service === service).sort((a, b) => a.openedAt.localeCompare(b.openedAt))) {
      const s = asOutage(input.severityStatus[inc.severity]);
      why.push({ kind: 'incident', incidentId: inc.id, severity: inc.severity, incidentStatus: inc.status, status: s });
      status = worst(status, s);
    }
    for (const e of input.edges.filter((x) => x.from === service && x.impact !== 'none')) {
      const dep = stateOf(e.to);
      const depStatus = asOutage(dep.status);
      if (depStatus === 'operational') continue;
      const s: OutageStatus = e.impact === 'degrade' ? 'degraded_performance' : depStatus;
      why.push({ kind: 'dependency', service: e.to, impact: e.impact as 'same' | 'degrade', dependencyStatus: dep.status, status: s });
      status = worst(status, s);
    }
    return { service, status, why };
  };

  for (const s of input.services) stateOf(s);
  return out;
}
