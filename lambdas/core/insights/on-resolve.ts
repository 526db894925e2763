/**
 * The hook that keeps rollups and the history up to date on write (docs/insights.md §Rollups): an IncidentStore
 * that, after a write that resolved an incident (a plan of the processor, or a replace by the API, a one-click
 * link or the sweeper), reads that incident's timeline once and adds its figures to the rollups (and, when the
 * history is on, writes its snapshot). Nothing is added to the write that opens an incident: only an incident that
 * a batch opens and resolves at once is rolled up by that batch. A failure is logged and never fails the resolve
 * (the incident then lacks from the rollups; `basis=incidents` still counts it).
 */
import type { Incident } from '../model/incident';
import type { Clock, IncidentStore, PublishedDocuments, RollupStore } from '../ports';
import { incidentFigures } from './figures';
import { historyKeyOf, historyLine, historyRowOf } from './history';
import { rollupUpdatesOf } from './rollup';

export interface ResolveRecorderDeps {
  rollups: RollupStore;
  /** Where history snapshots go (null: history off). */
  history: PublishedDocuments | null;
  timezones: Readonly<Record<string, string>>;
  incidentUrl: (id: string) => string;
  clock: Clock;
  log: (message: string, data: Record<string, unknown>) => void;
}

const resolvedNow = (before: Incident | null, after: Incident) => after.status === 'resolved' && before?.status !== 'resolved';

/** Rolls up one resolved incident (and writes its snapshot); false when it was rolled up before. */
export async function recordResolved(store: Pick<IncidentStore, 'timeline'>, deps: ResolveRecorderDeps, inc: Incident): Promise<boolean> {
  const figures = incidentFigures(inc, await store.timeline(inc.id));
  const added = await deps.rollups.addResolved(inc.id, rollupUpdatesOf(inc, figures, deps.timezones, 'UTC'), deps.clock.now().toISOString());
  if (deps.history) await deps.history.put(historyKeyOf(inc), historyLine(historyRowOf(inc, figures, deps.incidentUrl(inc.id))), 'application/x-ndjson');
  return added;
}

/** `store` with the hook: every method as it is, `applyPlan` and `replaceIncident` followed by the recording. */
export function recordingResolves(store: IncidentStore, deps: ResolveRecorderDeps): IncidentStore {
  const record = async (incidents: Incident[]) => {
    for (const inc of incidents) {
      try {
        await recordResolved(store, deps, inc);
      } catch (err) {
        deps.log('rollup of a resolved incident failed', { incidentId: inc.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
  };
  const hooked: Partial<IncidentStore> = {
    applyPlan: async (plan) => {
      const result = await store.applyPlan(plan);
      if (result.kind === 'applied') {
        const resolved = plan.creates.filter((c) => resolvedNow(null, c));
        if (plan.update && resolvedNow(plan.update.before, plan.update.after)) resolved.push(plan.update.after);
        await record(resolved);
      }
      return result;
    },
    replaceIncident: async (before, after) => {
      const result = await store.replaceIncident(before, after);
      if (result.kind === 'applied' && resolvedNow(before, after)) await record([after]);
      return result;
    },
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop in hooked) return hooked[prop as keyof IncidentStore];
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Rolls up the resolved incidents opened in [from, to] (ISO) that are not rolled up yet: the ones resolved before
 * rollups existed, or whose rollup failed before its marker was written. Already rolled-up incidents are skipped
 * by their marker (their timeline is read, nothing is added). With the history on, rewrites their snapshots too.
 */
export async function backfillRollups(
  store: Pick<IncidentStore, 'listIncidents' | 'timeline'>, deps: ResolveRecorderDeps, window: { from: string; to: string },
  onPage: (progress: { resolved: number; added: number }) => void = () => {},
): Promise<{ resolved: number; added: number }> {
  const progress = { resolved: 0, added: 0 };
  let cursor: string | undefined;
  do {
    const page = await store.listIncidents({ status: 'resolved', from: window.from, to: window.to, limit: 100, cursor });
    for (const inc of page.items) {
      if (inc.status !== 'resolved') continue;
      progress.resolved++;
      if (await recordResolved(store, deps, inc)) progress.added++;
    }
    onPage({ ...progress });
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return progress;
}
