/**
 * Per-channel send limits (`maxPerMinute` of a channel): a pure sliding-window decision. The notifier keeps the
 * recent send times of each channel (in its store) and asks before each send; a refused send is retried after
 * `retryAfterMs` instead of being dropped.
 */

export const WINDOW_MS = 60_000;

export interface SendDecision {
  allowed: boolean;
  /** When refused: how long until a send would be allowed. */
  retryAfterMs?: number;
}

/**
 * Whether one more send fits in the last minute: allowed while fewer than `maxPerMinute` sends happened in
 * `(nowMs - 60 s, nowMs]` (times after `nowMs`, from a skewed clock, count as recent). When refused, `retryAfterMs`
 * is when enough of those sends leave the window.
 *
 * @example
 * decideSend([t - 50_000, t - 10_000], 2, t) // { allowed: false, retryAfterMs: 10_000 }
 */
export function decideSend(recentSendTimesMs: readonly number[], maxPerMinute: number, nowMs: number): SendDecision {
  const max = Math.floor(maxPerMinute);
  if (!(max >= 1)) return { allowed: false, retryAfterMs: WINDOW_MS };
  const inWindow = recentSendTimesMs.filter((t) => Number.isFinite(t) && t > nowMs - WINDOW_MS).sort((a, b) => a - b);
  if (inWindow.length < max) return { allowed: true };
  // Sends that must leave the window before one more fits: the oldest (count - max + 1) of them.
  const leaving = inWindow[inWindow.length - max]!;
  return { allowed: false, retryAfterMs: Math.max(1, leaving + WINDOW_MS - nowMs) };
}

/** The send times still relevant at `nowMs` (what the store needs to keep), oldest first. */
export function recentSends(sendTimesMs: readonly number[], nowMs: number): number[] {
  return sendTimesMs.filter((t) => Number.isFinite(t) && t > nowMs - WINDOW_MS).sort((a, b) => a - b);
}
