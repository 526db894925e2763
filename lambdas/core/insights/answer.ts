/**
 * The two ways `GET /api/analytics` answers (docs/insights.md §Rollups): over every incident of the window and its
 * timeline (exact; the noise table), or from the rollups of resolved incidents plus the incidents not resolved yet,
 * read live from the status index (counts and means exact, percentiles estimated within 5 %, no noise table).
 */
import { InvalidPayloadError } from '../errors';
import type { IncidentStatus } from '../model/incident';
import type { IncidentQuery, IncidentStore, RollupStore } from '../ports';
import { createAnalytics, type AnalyticsOptions, type AnalyticsResult } from './analytics';
import { incidentFigures } from './figures';
import { ANALYTICS_MAX_INCIDENTS, PAGE_SIZE } from './request';
import {
  analyticsFromRollups, fitsRollups, rollupDays, rollupUpdatesOf, rowsOfUpdates, type RolledUpGroupBy, type RollupAnalyticsResult, type RollupUpdate,
} from './rollup';

export const BASES = ['auto', 'rollups', 'incidents'] as const;
export type Basis = (typeof BASES)[number];

type Store = Pick<IncidentStore, 'listIncidents' | 'timeline'>;
type WindowQuery = Omit<IncidentQuery, 'limit' | 'cursor'> & { from: string; to: string };

/** The statuses of the incidents not rolled up yet (only resolved incidents are). */
const LIVE_STATUSES: readonly IncidentStatus[] = ['triggered', 'acknowledged', 'suppressed'];

/** Which basis answers: `auto` takes rollups when the question fits them; `rollups` that does not fit is a 400. */
export function basisOf(requested: Basis, query: WindowQuery, groupBy: string | null, source: string | undefined): 'rollups' | 'incidents' {
  const fits = fitsRollups({ from: query.from, to: query.to, groupBy, filters: [query.status, query.service, query.severity, query.tag, source] });
  if (requested === 'rollups' && !fits) {
    throw new InvalidPayloadError([{
      path: 'basis',
      message: 'rollups answer whole UTC days (from at 00:00, to at 00:00 or 23:59:59), groupBy service, team, severity or source (or none), and no filters',
    }]);
  }
  return requested === 'incidents' || !fits ? 'incidents' : 'rollups';
}

export async function analyticsFromIncidents(store: Store, query: WindowQuery, options: AnalyticsOptions): Promise<AnalyticsResult & { basis: 'incidents' }> {
  const analytics = createAnalytics(options);
  let cursor: string | undefined;
  let seen = 0;
  for (;;) {
    const page = await store.listIncidents({ ...query, limit: PAGE_SIZE, cursor });
    seen += page.items.length;
    if (seen > ANALYTICS_MAX_INCIDENTS) {
      throw new InvalidPayloadError([{ path: 'from', message: `the window holds more than ${ANALYTICS_MAX_INCIDENTS} incidents; narrow from/to or filter` }]);
    }
    const timelines = await Promise.all(page.items.map((i) => store.timeline(i.id)));
    page.items.forEach((inc, i) => analytics.add(inc, incidentFigures(inc, timelines[i]!)));
    if (page.cursor === null) break;
    cursor = page.cursor;
  }
  return { ...analytics.result(), basis: 'incidents' };
}

export async function analyticsFromRollupStore(
  store: Store, rollups: RollupStore, query: WindowQuery, options: Omit<AnalyticsOptions, 'groupBy' | 'flapWindowMinutes'> & { groupBy: RolledUpGroupBy | null },
): Promise<RollupAnalyticsResult> {
  const { firstDay, lastDay } = rollupDays(query.from, query.to);
  const kinds = ['all', 'person', ...(options.groupBy ? [options.groupBy] : [])] as const;
  const [stored, live] = await Promise.all([
    Promise.all(kinds.map((k) => rollups.read(k, firstDay, lastDay))),
    liveUpdates(store, query, options, firstDay, lastDay),
  ]);
  return analyticsFromRollups(options, [...stored.flat(), ...rowsOfUpdates(live)]);
}

/** The rollup updates of the incidents of the window that are not resolved (so not rolled up yet). */
async function liveUpdates(store: Store, query: WindowQuery, options: Pick<AnalyticsOptions, 'timezones' | 'defaultTimezone'>, firstDay: string, lastDay: string): Promise<RollupUpdate[]> {
  const out: RollupUpdate[] = [];
  for (const status of LIVE_STATUSES) {
    let cursor: string | undefined;
    do {
      const page = await store.listIncidents({ status, from: query.from, to: query.to, limit: PAGE_SIZE, cursor });
      // A suppressed incident counts its alerts only: its timeline is not read.
      const timelines = await Promise.all(page.items.map((i) => (status === 'suppressed' ? [] : store.timeline(i.id))));
      page.items.forEach((inc, i) => {
        if (inc.status !== status) return; // changed since the index was read: counted where it is now
        for (const u of rollupUpdatesOf(inc, incidentFigures(inc, timelines[i]!), options.timezones, options.defaultTimezone)) {
          if (u.day >= firstDay && u.day <= lastDay) out.push(u);
        }
      });
      cursor = page.cursor ?? undefined;
    } while (cursor);
  }
  return out;
}
