/**
 * The status page model: component statuses (Statuspage's five names), ordered from best to worst for
 * "worst of" comparisons. `under_maintenance` is not "worse" than an outage: an incident during a public window
 * still shows (see derive.ts), so it is kept apart from the severity order.
 */
export const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** The statuses an incident or a dependency can cause, best to worst. */
export const OUTAGE_ORDER = ['operational', 'degraded_performance', 'partial_outage', 'major_outage'] as const;
export type OutageStatus = (typeof OUTAGE_ORDER)[number];

export function outageRank(s: OutageStatus): number {
  return OUTAGE_ORDER.indexOf(s);
}

export function worst(a: OutageStatus, b: OutageStatus): OutageStatus {
  return outageRank(a) >= outageRank(b) ? a : b;
}
