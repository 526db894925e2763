/**
 * When the Page step of the escalation state machine fails for good (its retries spent), its Catch runs this through
 * the same escalation-step function: the failure goes on the incident's timeline, so the people looking at the
 * incident see that nobody was paged and why, and the execution then fails (the ops alarm on failed executions
 * fires). See lib/constructs/escalation-state-machine.ts.
 */
import type { Clock, IncidentStore } from '../ports';
import type { EscalationState } from './plan';

/** What a Catch puts at its ResultPath: the error name and its cause (for a Lambda error, its JSON). */
export interface PageError {
  Error?: string;
  Cause?: string;
}

export type FailedPageState = EscalationState & { pageError: PageError };

export function isFailedPage(state: EscalationState | FailedPageState): state is FailedPageState {
  return typeof (state as FailedPageState).pageError === 'object' && (state as FailedPageState).pageError !== null;
}

/** The error's message, without a stack trace (a Lambda error's Cause is `{"errorType","errorMessage","trace"}`). */
export function describePageError(error: PageError): string {
  let cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown; errorType?: unknown };
    if (typeof parsed.errorMessage === 'string') cause = parsed.errorMessage;
  } catch {
    // not JSON: the cause as given
  }
  const text = [error.Error, cause].filter((s) => s && s.length > 0).join(': ') || 'unknown error';
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

export async function recordPageFailure(deps: { store: IncidentStore; clock: Clock }, state: FailedPageState): Promise<EscalationState> {
  const { pageError, ...rest } = state;
  const reason = describePageError(pageError);
  await deps.store.appendTimeline([{
    incidentId: state.incidentId,
    at: deps.clock.now().toISOString(),
    type: 'escalated',
    actor: 'pipeline',
    message: `Page of escalation step ${state.step + 1} failed after its retries (${reason}): nobody was paged by this step; the escalation stops and the pipeline's ops alarm on failed executions fires`,
    data: { outcome: 'page-failed', step: state.step, error: pageError.Error ?? null, reason },
  }]);
  return { ...rest, waitSeconds: 0, done: true };
}
