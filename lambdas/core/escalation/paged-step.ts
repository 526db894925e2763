/**
 * The paged step of an incident is recorded apart from its document (IncidentStore.recordPagedStep: a plain
 * attribute of the head, written without the version check), so a page never conflicts with the processor counting
 * alerts on the same head. Every read merges it in here.
 */
import type { Incident } from '../model/incident';

/**
 * The incident with its recorded paged step merged in: `escalationStep` at least the paged step, and a `pending`
 * escalation `started` when the page came after the step the document knows (that run paged, so it started; a
 * later run marked pending continues after the last paged step, so an older page never confirms it).
 */
export function withPagedStep(inc: Incident, pagedStep: number | undefined): Incident {
  if (pagedStep === undefined || pagedStep <= inc.escalationStep) return inc;
  return { ...inc, escalationStep: pagedStep, escalation: inc.escalation === 'pending' ? 'started' : inc.escalation };
}
