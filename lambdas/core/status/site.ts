/**
 * Builds the status site's input over the ports: derives every component's status now, records the changes
 * (the history uptime is computed from), and gathers what the pages show. Reads the time from its argument only.
 *
 * `refreshStatusSite` = build + record + render the public files + write them. Local runtime: after every
 * processed batch that may change a status and after every status API write; AWS: the `status-render` function.
 */
import type { PipelineConfig } from '../config/pipeline-config.schema';
import type { Incident, IncidentStatus } from '../model/incident';
import type { IncidentStore, OperationsStore, StatusSiteWriter, StatusStore } from '../ports';
import { currentOccurrence, upcomingOccurrences, type MaintenanceWindow } from '../rules/maintenance';
import { dependencyEdges } from './dependencies';
import { deriveStatuses, type ActiveWindow } from './derive';
import type { StatusChange } from './model';
import type { ScheduledMaintenance, StatusSiteInput } from './site-input';
export type { ScheduledMaintenance, StatusSiteInput, StatusPageConfig } from './site-input';
import { renderStatusSite } from './render';
import { DAY_MS, uptime, uptimeDays, type UptimeDay } from './uptime';

export interface StatusSiteDeps {
  config: PipelineConfig;
  store: IncidentStore;
  status: StatusStore;
  /** Ad-hoc maintenance windows (those created with `public: true` show). */
  ops?: OperationsStore;
  pageUrl?: string;
}

const UPTIME_DAYS = 90;
const HISTORY_DAYS = 14;
const ANNOUNCE_DAYS = 14;
const MAX_OPEN = 2000;

async function openIncidents(store: IncidentStore, statuses: readonly IncidentStatus[]): Promise<Incident[]> {
  const out: Incident[] = [];
  for (const status of statuses) {
    let cursor: string | undefined;
    do {
      const page = await store.listIncidents({ status, limit: 100, cursor });
      out.push(...page.items);
      cursor = page.cursor ?? undefined;
    } while (cursor && out.length < MAX_OPEN);
  }
  return out;
}

async function publicWindows(deps: StatusSiteDeps, nowIso: string): Promise<MaintenanceWindow[]> {
  const configured = deps.config.maintenance.filter((m) => m.public && m.services.length > 0).map((m): MaintenanceWindow => ({
    name: m.name, ...(m.reason ? { reason: m.reason } : {}), services: m.services, when: m.when ?? null,
    ...(m.start ? { start: m.start } : {}), ...(m.end ? { end: m.end } : {}), ...(m.rrule ? { rrule: m.rrule } : {}),
    ...(m.timezone ? { timezone: m.timezone } : {}), ...(m.firstStart ? { firstStart: m.firstStart } : {}),
    ...(m.durationMinutes ? { durationMinutes: m.durationMinutes } : {}),
  }));
  const adHoc = deps.ops ? (await deps.ops.listMaintenance(nowIso)).filter((w) => w.public === true && w.services.length > 0) : [];
  return [...configured, ...adHoc.map((w): MaintenanceWindow => ({ name: w.name, ...(w.reason ? { reason: w.reason } : {}), services: w.services, when: w.when, start: w.start, end: w.end }))];
}

/** Derives, records the changes, and returns what the renderer needs. */
export async function buildStatusSite(deps: StatusSiteDeps, now: Date): Promise<StatusSiteInput | null> {
  const sp = deps.config.statusPage;
  if (!sp) return null;
  const nowIso = now.toISOString();
  const nowMs = now.getTime();
  const windows = await publicWindows(deps, nowIso);
  const active: ActiveWindow[] = [];
  const maintenances: ScheduledMaintenance[] = [];
  for (const w of windows) {
    const cur = currentOccurrence(w, nowMs);
    if (cur) active.push({ name: w.name, services: w.services, end: cur.end });
    for (const occ of upcomingOccurrences(w, nowMs, 3)) {
      if (Date.parse(occ.start) > nowMs + ANNOUNCE_DAYS * DAY_MS) break;
      maintenances.push({ id: `${w.name}-${occ.start}`, name: w.name, reason: w.reason ?? null, services: w.services, start: occ.start, end: occ.end, inProgress: occ.start <= nowIso });
    }
  }
  maintenances.sort((a, b) => a.start.localeCompare(b.start));
  const services = deps.config.services.map((s) => s.name);
  const states = deriveStatuses({
    services, edges: dependencyEdges(deps.config), severityStatus: sp.severityStatus, countStatuses: sp.countStatuses,
    incidents: await openIncidents(deps.store, sp.countStatuses), windows: active,
    overrides: await deps.status.listStatusOverrides(nowIso), now,
  });

  const current = new Map((await deps.status.currentStatuses()).map((c) => [c.service, c]));
  const components = sp.components.map((c) => c.service);
  const changes: StatusChange[] = components
    .filter((s) => current.get(s)?.status !== states.get(s)?.status)
    .map((s) => ({ service: s, status: states.get(s)!.status, at: nowIso }));
  if (changes.length) await deps.status.recordStatusChanges(changes);
  for (const c of changes) current.set(c.service, c);

  const from = nowMs - UPTIME_DAYS * DAY_MS;
  const daysOut: Record<string, UptimeDay[]> = {};
  const uptimeOut: Record<string, number | null> = {};
  for (const s of components) {
    const history = await deps.status.statusHistory(s, new Date(from).toISOString());
    daysOut[s] = uptimeDays(history, now, UPTIME_DAYS);
    uptimeOut[s] = uptime(history, from, nowMs);
  }
  return {
    config: sp,
    now: nowIso,
    pageUrl: deps.pageUrl ?? '/status',
    states: Object.fromEntries(components.map((s) => [s, states.get(s)!])),
    since: Object.fromEntries(components.map((s) => [s, current.get(s)?.at ?? nowIso])),
    uptimeDays: daysOut,
    uptime90: uptimeOut,
    statusIncidents: await deps.status.listStatusIncidents(new Date(nowMs - HISTORY_DAYS * DAY_MS).toISOString()),
    maintenances,
  };
}

/** Build, record, render the public files and write them. Returns the input (for the private page) or null. */
export async function refreshStatusSite(deps: StatusSiteDeps, writer: StatusSiteWriter, now: Date): Promise<StatusSiteInput | null> {
  const input = await buildStatusSite(deps, now);
  if (input) await writer.write(renderStatusSite(input));
  return input;
}
