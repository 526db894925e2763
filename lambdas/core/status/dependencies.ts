/**
 * Service dependencies (config `services[].dependsOn`), normalized: a bare name is `{ service, impact: 'same' }`
 * without inhibition. Used by status propagation (derive.ts) and by page inhibition. Pure.
 */
import type { Severity } from '../model/alert';

/** How a dependency's status reaches the dependent: the same, at most degraded_performance, or not at all. */
export const DEPENDENCY_IMPACTS = ['same', 'degrade', 'none'] as const;
export type DependencyImpact = (typeof DEPENDENCY_IMPACTS)[number];

/** One dependency as written in the config. */
export type DependencyRef = string | { service: string; impact?: DependencyImpact; inhibitAtOrAbove?: Severity };

/** The part of the config this module reads (structural, so the config schema can use it before it is typed). */
export interface ServicesWithDependencies {
  services: ReadonlyArray<{ name: string; dependsOn?: readonly DependencyRef[] }>;
}

/** `from` depends on `to`: `to`'s status reaches `from` with `impact`; `to`'s incidents may hold `from`'s pages. */
export interface DependencyEdge {
  from: string;
  to: string;
  impact: DependencyImpact;
  inhibitAtOrAbove?: Severity;
}

export function dependencyEdges(config: ServicesWithDependencies): DependencyEdge[] {
  return config.services.flatMap((s) =>
    (s.dependsOn ?? []).map((d): DependencyEdge => {
      if (typeof d === 'string') return { from: s.name, to: d, impact: 'same' };
      const edge: DependencyEdge = { from: s.name, to: d.service, impact: d.impact ?? 'same' };
      if (d.inhibitAtOrAbove !== undefined) edge.inhibitAtOrAbove = d.inhibitAtOrAbove;
      return edge;
    }),
  );
}

/**
 * The first dependency cycle found, as the service names along it with the first repeated at the end
 * (`['a', 'b', 'a']`), or undefined. Self-dependencies are reported separately by the schema and skipped here.
 */
export function dependencyCycle(config: ServicesWithDependencies): string[] | undefined {
  const next = new Map<string, string[]>();
  for (const e of dependencyEdges(config)) if (e.from !== e.to) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const to of next.get(node) ?? []) {
      const s = state.get(to);
      if (s === 'visiting') return [...stack.slice(stack.indexOf(to)), to];
      if (s === undefined) {
        const found = visit(to);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const s of config.services) {
    if (state.has(s.name)) continue;
    const found = visit(s.name);
    if (found) return found;
  }
  return undefined;
}

/** Services that depend on `service`, directly or transitively (no duplicates; the config has no cycles). */
export function dependentsOf(edges: readonly DependencyEdge[], service: string): string[] {
  const out: string[] = [];
  const queue = [service];
  while (queue.length) {
    const cur = queue.shift() as string;
    for (const e of edges) if (e.to === cur && !out.includes(e.from) && e.from !== service) {
      out.push(e.from);
      queue.push(e.from);
    }
  }
  return out;
}
