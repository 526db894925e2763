/**
 * The decision trace: why the pipeline did what it did with one alert. Every stage appends one step, so a reader
 * can tell which fingerprint inputs were used, what dedup decided, which rules matched, which route was taken, and
 * why it did or did not page.
 */

export type TraceStage = 'normalize' | 'enrich' | 'fingerprint' | 'deduplicate' | 'classify' | 'route' | 'suppress' | 'delay' | 'incident' | 'inhibit';

export interface TraceStep {
  stage: TraceStage;
  /** Short outcome keyword: `new-incident`, `joined`, `duplicate`, `matched`, `default`, `suppressed`... */
  outcome: string;
  /** One human sentence. */
  reason: string;
  data?: Record<string, unknown>;
}

export interface DecisionTrace {
  steps: TraceStep[];
}

export function step(stage: TraceStage, outcome: string, reason: string, data?: Record<string, unknown>): TraceStep {
  return data === undefined ? { stage, outcome, reason } : { stage, outcome, reason, data };
}
