/**
 * The rules an ad-hoc maintenance window (created through the API) must satisfy before it is stored. Pure: the
 * instant comes in as `nowMs`. A violation is an InvalidPayloadError naming the field.
 */
import { InvalidPayloadError } from '../errors';
import { checkExpression } from './expressions';

/** An ad-hoc window lasts at most this long. */
export const AD_HOC_MAX_MS = 7 * 24 * 3600 * 1000;

export interface AdHocWindowRequest {
  services: readonly string[];
  when?: string;
  /** ISO 8601; default: now. */
  start?: string;
  /** ISO 8601; mandatory: a maintenance window always ends. */
  end: string;
}

/** Checks an ad-hoc window against the clock and the configured services; returns its start and end (ISO, UTC). */
export function checkAdHocWindow(
  request: AdHocWindowRequest,
  nowMs: number,
  knownServices: readonly string[],
): { start: string; end: string } {
  const startMs = request.start ? new Date(request.start).getTime() : nowMs;
  const endMs = new Date(request.end).getTime();
  const fail = (path: string, message: string): never => {
    throw new InvalidPayloadError([{ path, message }]);
  };
  if (endMs <= startMs) fail('end', 'must be after start');
  if (endMs <= nowMs) fail('end', 'must be in the future');
  if (endMs - startMs > AD_HOC_MAX_MS) fail('end', 'an ad-hoc window lasts at most 7 days');
  if (request.services.length === 0 && request.when === undefined) {
    fail('services', 'a window covers services, a condition (when) or both');
  }
  const known = new Set(knownServices);
  request.services.forEach((s, i) => {
    if (!known.has(s)) fail(`services[${i}]`, `unknown service "${s}"`);
  });
  if (request.when !== undefined) {
    const problem = checkExpression(request.when, 'bool');
    if (problem) fail('when', `invalid expression: ${problem}`);
  }
  return { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() };
}
