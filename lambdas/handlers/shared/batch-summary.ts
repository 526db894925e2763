/** The processor's summary log line of a batch (lambdas/handlers/process-alerts.ts), from what the pipeline returned. */
import type { ProcessResult } from '../../core/pipeline';

/**
 * The processor's one INFO line per batch: records, alerts, records to retry, alerts per outcome and per reason, and
 * the incidents opened and updated (distinct incidents an alert joined, resolved or acknowledged). Each alert's
 * decision is a DEBUG line (`alert decision`); its reason is also kept with the alert in the alert log.
 */
export function batchSummary(records: number, result: ProcessResult, failedRecords: number): Record<string, unknown> {
  const outcomes: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  const updated = new Set<string>();
  for (const o of result.outcomes) {
    outcomes[o.outcome] = (outcomes[o.outcome] ?? 0) + 1;
    reasons[o.reason] = (reasons[o.reason] ?? 0) + 1;
    if (o.incidentId !== null && UPDATING_OUTCOMES.has(o.outcome)) updated.add(o.incidentId);
  }
  for (const inc of result.opened) updated.delete(inc.id);
  return { records, alerts: result.outcomes.length, failedRecords, incidentsOpened: result.opened.length, incidentsUpdated: updated.size, outcomes, reasons };
}

/** Outcomes that change an existing incident. */
const UPDATING_OUTCOMES = new Set(['joined', 'resolved', 'acknowledged']);
