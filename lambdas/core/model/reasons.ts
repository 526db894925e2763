/**
 * Named reasons for every "no": an alert that does not open an incident, does not page, or is dropped. Used in
 * decision traces, logs and metric dimensions. String constants, never positions.
 */
export const REASONS = {
  duplicateDelivery: 'duplicate-delivery',
  joinedOpenIncident: 'joined-open-incident',
  joinedSuppressedIncident: 'joined-suppressed-incident',
  insufficientData: 'insufficient-data',
  resolveWithoutOpenIncident: 'resolve-without-open-incident',
  acknowledgeWithoutOpenIncident: 'acknowledge-without-open-incident',
  /** Older than the newest state change already applied for its alarm / dedup key (late, out-of-order delivery). */
  staleStateChange: 'stale-state-change',
  suppressedByRule: 'suppressed-by-rule',
  maintenanceWindow: 'maintenance-window',
  invalidPayload: 'invalid-payload',
  /** Opened but held from paging: a service it depends on (an edge with `inhibitAtOrAbove`) has an open incident. */
  inhibitedByDependency: 'inhibited-by-dependency',
} as const;
export type Reason = (typeof REASONS)[keyof typeof REASONS];
