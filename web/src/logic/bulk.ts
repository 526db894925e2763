/**
 * Bulk acknowledge/resolve on the incident list. Only the selected incidents the action applies to are sent (the
 * server's rules: acknowledge only a triggered incident, resolve anything not yet resolved); the others are skipped
 * and the summary says why, so selecting a resolved incident along with open ones is not a "failure".
 */
import type { IncidentStatus } from '../types';

export type BulkAction = 'acknowledge' | 'resolve';

export function appliesTo(action: BulkAction, status: IncidentStatus): boolean {
  return action === 'acknowledge' ? status === 'triggered' : status !== 'resolved';
}

export interface BulkPlan {
  send: string[];
  skipped: Array<{ id: string; status: IncidentStatus }>;
}

export function planBulk(action: BulkAction, selected: Iterable<string>, statusOf: (id: string) => IncidentStatus | undefined): BulkPlan {
  const plan: BulkPlan = { send: [], skipped: [] };
  for (const id of selected) {
    const status = statusOf(id);
    // An incident no longer on the list (another page, filtered away) is sent: the server decides.
    if (status === undefined || appliesTo(action, status)) plan.send.push(id);
    else plan.skipped.push({ id, status });
  }
  return plan;
}

const DONE: Record<BulkAction, string> = { acknowledge: 'acknowledged', resolve: 'resolved' };

/** One line for the person who clicked: what was done, what was skipped and why. Failures are reported apart. */
export function bulkSummary(action: BulkAction, plan: BulkPlan, failed: number): string {
  const done = plan.send.length - failed;
  const parts = [`${done} ${DONE[action]}`];
  if (plan.skipped.length > 0) {
    const byStatus = new Map<IncidentStatus, number>();
    for (const s of plan.skipped) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
    parts.push(`${plan.skipped.length} skipped (${[...byStatus].map(([st, n]) => `${n} ${st}`).join(', ')})`);
  }
  return parts.join('; ');
}
