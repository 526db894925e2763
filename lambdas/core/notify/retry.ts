/**
 * Delivery retries for the notifier adapters: how long to wait between attempts, and whether a failure is worth
 * another attempt at all (alertmanager's notify/util.go does the same split). Pure: randomness comes in as an argument.
 */

/**
 * Delays before each retry: "full jitter" exponential backoff, attempt i waits a random time in
 * `[0, min(maxMs, baseMs × 2^i))`.
 *
 * @example
 * retryDelays(3, 200, 5_000, random) // e.g. [131, 302, 547] with the handler's random source
 */
export function retryDelays(attempts: number, baseMs: number, maxMs: number, random: () => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.floor(attempts); i++) {
    const cap = Math.min(maxMs, baseMs * 2 ** i);
    const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
    out.push(Math.floor(r * Math.max(0, cap)));
  }
  return out;
}

export type DeliveryFailureReason =
  | 'rate-limited'
  | 'server-error'
  | 'timeout'
  | 'network'
  | 'auth'
  | 'not-found'
  | 'client-error'
  | 'redirect'
  | 'tls'
  | 'unknown';

export interface DeliveryFailure {
  retryable: boolean;
  reason: DeliveryFailureReason;
}

const NETWORK_ERRORS = /ECONNRESET|ECONNREFUSED|ECONNABORTED|EPIPE|EHOSTUNREACH|ENETUNREACH|ENETDOWN|EAI_AGAIN|ENOTFOUND|socket hang up|network|fetch failed|UND_ERR_SOCKET|UND_ERR_CONNECT/i;
const TIMEOUT_ERRORS = /ETIMEDOUT|ESOCKETTIMEDOUT|TimeoutError|AbortError|timed? ?out|UND_ERR_.*TIMEOUT/i;
const THROTTLE_ERRORS = /Throttl|TooManyRequests|Rate ?exceeded|rate.?limit|SlowDown/i;
const TLS_ERRORS = /CERT_|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|ERR_TLS|certificate/i;

/**
 * Whether a failed delivery may succeed if tried again: 429, 408 and 5xx yes, other 4xx no (the request itself is
 * wrong: a retry gets the same answer), network errors and timeouts yes, TLS certificate errors no.
 *
 * @example
 * classifyDeliveryFailure(503) // { retryable: true, reason: 'server-error' }
 * classifyDeliveryFailure(undefined, 'ECONNRESET') // { retryable: true, reason: 'network' }
 */
export function classifyDeliveryFailure(status?: number, error?: string): DeliveryFailure {
  if (status !== undefined && Number.isFinite(status) && status > 0) {
    if (status === 429) return { retryable: true, reason: 'rate-limited' };
    if (status === 408) return { retryable: true, reason: 'timeout' };
    if (status >= 500) return { retryable: true, reason: 'server-error' };
    if (status === 401 || status === 403) return { retryable: false, reason: 'auth' };
    if (status === 404 || status === 410) return { retryable: false, reason: 'not-found' };
    if (status >= 400) return { retryable: false, reason: 'client-error' };
    if (status >= 300) return { retryable: false, reason: 'redirect' };
  }
  const e = error ?? '';
  if (THROTTLE_ERRORS.test(e)) return { retryable: true, reason: 'rate-limited' };
  if (TLS_ERRORS.test(e)) return { retryable: false, reason: 'tls' };
  if (TIMEOUT_ERRORS.test(e)) return { retryable: true, reason: 'timeout' };
  if (NETWORK_ERRORS.test(e)) return { retryable: true, reason: 'network' };
  // Nothing to go on (no status, an unrecognised error): retry, the caller's attempt limit bounds it.
  return { retryable: true, reason: 'unknown' };
}
