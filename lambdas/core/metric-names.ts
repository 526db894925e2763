/**
 * The names of the pipeline's own metrics: emitted by the handlers (points derived in core/metrics.ts, written by a
 * MetricsSink) and alarmed and graphed by the stack (lib/constructs/operations.ts). Pure data, shared by both.
 */
export const METRIC_NAMES = [
  'AlertsAccepted',
  'DeliveriesRejected',
  'AlertsDeduplicated',
  'AlertsSuppressed',
  'IncidentsOpened',
  'Pages',
  'TimeToPage',
  'NotificationsSent',
  'NotificationFailures',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];
