/**
 * The maintenance windows the processor's suppress stage reads besides the configured ones: the ad-hoc windows
 * created through the API, read from the OperationsStore at most once per `cacheMs` (they change rarely). Over the
 * OperationsStore port; time comes from the Clock.
 */
import type { AdHocMaintenanceRecord, Clock, OperationsStore } from '../ports';
import type { MaintenanceWindow } from './maintenance';

/** Ad-hoc windows change rarely: read them at most every 30 s per execution environment. */
export const WINDOW_CACHE_MS = 30_000;

/** A stored ad-hoc window as the suppress stage sees it. */
export function adHocWindow(r: AdHocMaintenanceRecord): MaintenanceWindow {
  return { name: r.name, ...(r.reason ? { reason: r.reason } : {}), services: r.services, when: r.when, start: r.start, end: r.end };
}

/** A loader of the ad-hoc windows in effect, cached for `cacheMs`; without a store, none. */
export function cachedWindowLoader(ops: OperationsStore | undefined, clock: Clock, cacheMs = WINDOW_CACHE_MS) {
  let cached: { at: number; windows: MaintenanceWindow[] } | null = null;
  return async (): Promise<MaintenanceWindow[]> => {
    if (!ops) return [];
    const now = clock.now().getTime();
    if (cached && now - cached.at < cacheMs) return cached.windows;
    const windows = (await ops.listMaintenance(new Date(now).toISOString())).map(adHocWindow);
    cached = { at: now, windows };
    return windows;
  };
}
