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

/** Stages of a published status incident (Statuspage's names). */
export const UPDATE_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type UpdateStatus = (typeof UPDATE_STATUSES)[number];

/** A manual status of one component, set by an admin through the API; always expires. */
export interface StatusOverride {
  id: string;
  service: string;
  status: ComponentStatus;
  /** Shown on the private page only. */
  reason?: string;
  start: string;
  end: string;
  createdBy: string;
  createdAt: string;
}

/** One published message of a status incident. `by` is shown on the private page only. */
export interface StatusUpdate {
  id: string;
  status: UpdateStatus;
  message: string;
  at: string;
  by: string;
}

/**
 * A status incident: what people outside read (title, affected components, updates), linked to one or more
 * internal incidents (ids shown on the private page only).
 */
export interface StatusIncident {
  id: string;
  title: string;
  /** Services (components) it affects. */
  components: string[];
  incidentIds: string[];
  status: UpdateStatus;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  /** Oldest first. */
  updates: StatusUpdate[];
}

/** One recorded change of a component's status (the history uptime is computed from). */
export interface StatusChange {
  service: string;
  status: ComponentStatus;
  at: string;
}

/** Why a component has its status. Incident ids and override reasons are for the private page only. */
export type StatusWhy =
  | { kind: 'incident'; incidentId: string; severity: string; incidentStatus: string; status: OutageStatus }
  | { kind: 'dependency'; service: string; impact: 'same' | 'degrade'; dependencyStatus: ComponentStatus; status: OutageStatus }
  | { kind: 'override'; id: string; status: ComponentStatus; until: string; reason: string | null }
  | { kind: 'maintenance'; name: string; until: string };

export interface ComponentState {
  service: string;
  status: ComponentStatus;
  why: StatusWhy[];
}

/** One file of the rendered status site (its path under the site root, e.g. `status.json`). */
export interface StatusFile {
  path: string;
  contentType: string;
  body: string;
  /** How long a browser or CDN may cache it. */
  cacheSeconds: number;
}
