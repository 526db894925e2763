/**
 * The sweeper (every minute, from a schedule): the time-driven parts of the pipeline that no alert triggers.
 *   - maintenance windows that ended: incidents they suppressed that are still firing page as they would have;
 *   - snoozes that ended: the incident returns to triggered and escalates again;
 *   - quiet incidents of sources without resolves (Threat Stack, configured webhooks) auto-resolve;
 *   - held pages (core/inhibition.ts) whose upstream incident is no longer open page now.
 * Before all of these, CloudWatch incidents still firing whose alarm is back in OK but whose OK message never came
 * resolve (core/enrich/alarm-reconcile.ts; DescribeAlarms through the AlarmDetails port).
 */
import type { PipelineConfig } from './config/pipeline-config.schema';
import { autoResolveIncident, retriggerIncident, type Transition } from './lifecycle';
import type { Incident, IncidentStatus } from './model/incident';
import type { AlarmDetails, Clock, Escalator, IncidentStore } from './ports';
import { reconcileCandidates, reconcileTransitions } from './enrich/alarm-reconcile';
import { releaseOrphans } from './inhibition';

export interface SweepResult {
  maintenanceEnded: string[];
  snoozesEnded: string[];
  autoResolved: string[];
  /** Held pages (inhibition) released because their upstream incident is no longer open. */
  inhibitionsReleased: string[];
  /** Open CloudWatch incidents resolved because CloudWatch says their alarm is OK (the OK message never came). */
  alarmsReconciled: string[];
  errors: string[];
}

/** Quiet minutes after which an incident of this source auto-resolves (0 = never). */
export function autoResolveMinutes(config: PipelineConfig, inc: Incident): number {
  if (inc.source === 'threatstack') return config.sources.threatstack.autoResolveAfterMinutes;
  if (inc.source === 'webhook') {
    const name = inc.tags.webhook;
    return config.sources.webhooks.find((w) => w.name === name)?.autoResolveAfterMinutes ?? 0;
  }
  return 0;
}

/**
 * When an open incident auto-resolves (epoch ms), or null when its source never does. Quiet time counts from when
 * the pipeline received the incident's last alert, not from the source's time for it, which may be skewed.
 */
export function autoResolveDueMs(config: PipelineConfig, inc: Incident): number | null {
  const minutes = autoResolveMinutes(config, inc);
  if (minutes <= 0) return null;
  const quietSince = Math.max(Date.parse(inc.firstAlert.receivedAt), Date.parse(inc.lastAlert.receivedAt));
  return quietSince + minutes * 60_000;
}

async function allWithStatus(store: IncidentStore, status: IncidentStatus): Promise<Incident[]> {
  const out: Incident[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listIncidents({ status, limit: 100, cursor });
    out.push(...page.items);
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return out;
}

export interface SweepDeps {
  config: PipelineConfig;
  store: IncidentStore;
  escalator: Escalator;
  clock: Clock;
  /** CloudWatch alarms' current states, for the reconciliation (absent: not reconciled). */
  alarms?: AlarmDetails;
}

export async function sweep(deps: SweepDeps): Promise<SweepResult> {
  const result: SweepResult = { maintenanceEnded: [], snoozesEnded: [], autoResolved: [], inhibitionsReleased: [], alarmsReconciled: [], errors: [] };
  const nowMs = deps.clock.now().getTime();
  const now = new Date(nowMs).toISOString();

  const apply = async (inc: Incident, t: Transition, list: string[], after?: (inc: Incident) => Promise<void>) => {
    try {
      if ((await deps.store.replaceIncident(inc, t.after)).kind === 'conflict') return; // changed meanwhile: next sweep
      await deps.store.appendTimeline(t.events);
      if (t.stopEscalation) await deps.escalator.stop(t.after, t.events[0]?.actor === 'pipeline:reconcile' ? 'alarm OK (reconciled)' : 'auto-resolved');
      if (after) await after(t.after);
      list.push(inc.id);
    } catch (err) {
      result.errors.push(`${inc.id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  // First: incidents whose alarm is back in OK although the OK never came resolve (before a window's end pages them).
  await reconcileAlarms(deps, nowMs, now, apply, result);
  for (const inc of await allWithStatus(deps.store, 'suppressed')) {
    if (inc.suppressedUntil !== null && inc.suppressedUntil <= now) {
      await apply(inc, retriggerIncident(inc, `Maintenance window ended (${inc.suppressionReason ?? 'maintenance'}) and the alert is still firing: paging as it would have`, now),
        result.maintenanceEnded, (after) => deps.escalator.start(after));
    }
  }
  for (const inc of await allWithStatus(deps.store, 'acknowledged')) {
    if (inc.snoozedUntil !== null && inc.snoozedUntil <= now) {
      await apply(inc, retriggerIncident(inc, `Snooze ended (${inc.snoozedUntil}): escalating again`, now), result.snoozesEnded, (after) => deps.escalator.start(after));
    }
  }
  for (const status of ['triggered', 'acknowledged'] as const) {
    for (const inc of await allWithStatus(deps.store, status)) {
      const due = autoResolveDueMs(deps.config, inc);
      if (due !== null && due <= nowMs && (inc.snoozedUntil === null || inc.snoozedUntil <= now)) {
        await apply(inc, autoResolveIncident(inc, autoResolveMinutes(deps.config, inc), now), result.autoResolved);
      }
    }
  }
  // Held pages whose upstream incident is no longer open (auto-resolved above, or resolved while the release
  // elsewhere failed) go out now: at most one sweep (a minute) after the upstream resolve.
  try {
    result.inhibitionsReleased.push(...(await releaseOrphans(deps, await allWithStatus(deps.store, 'triggered'))));
  } catch (err) {
    result.errors.push(`inhibition release: ${err instanceof Error ? err.message : String(err)}`);
  }
  return result;
}

type Apply = (inc: Incident, t: Transition, list: string[]) => Promise<void>;

/**
 * CloudWatch incidents still firing (open, or held by a maintenance window) whose alarm CloudWatch reports OK (newer
 * than their last state) resolve; bounded per sweep.
 */
async function reconcileAlarms(deps: SweepDeps, nowMs: number, now: string, apply: Apply, result: SweepResult): Promise<void> {
  const options = deps.config.cloudwatchAlarms.reconcile;
  if (!deps.alarms || !options.enabled) return;
  const open: Incident[] = [];
  for (const status of ['triggered', 'acknowledged', 'suppressed'] as const) open.push(...(await allWithStatus(deps.store, status)));
  const candidates = reconcileCandidates(open, nowMs, options);
  if (candidates.length === 0) return;
  let readings;
  try {
    readings = await deps.alarms.states(candidates.map((c) => c.alarm));
  } catch (err) {
    result.errors.push(`alarm reconciliation: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const byId = new Map(candidates.map((c) => [c.incident.id, c.incident]));
  for (const t of reconcileTransitions(candidates, readings, now)) await apply(byId.get(t.after.id)!, t, result.alarmsReconciled);
}
