/**
 * Signatures of outgoing webhooks (the `webhook` channel), so receivers can check that a page came from this
 * pipeline and was not replayed. Pure. The scheme (documented for receivers in docs/oncall.md):
 *
 *   X-Alert-Pipeline-Timestamp: <unix seconds>
 *   X-Alert-Pipeline-Signature: v1=<hex HMAC-SHA256(key, "<timestamp>.<raw body>")>
 *
 * During a key rotation the sender signs with both keys (`v1=<new>,v1=<old>`); a receiver accepts the request when
 * any signature matches any key it holds, and the timestamp is within the tolerance (5 minutes by default).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AlertPipelineError } from '../errors';

export const TIMESTAMP_HEADER = 'X-Alert-Pipeline-Timestamp';
export const SIGNATURE_HEADER = 'X-Alert-Pipeline-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

function hmacHex(key: string, timestamp: string, body: string): string {
  return createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * The headers that sign one webhook body. Pass several keys during a rotation (newest first).
 *
 * @example
 * const body = JSON.stringify(webhookPayload(input));
 * await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...signWebhook(body, key, nowSec) } });
 */
export function signWebhook(body: string, key: string | readonly string[], timestampSec: number): Record<typeof TIMESTAMP_HEADER | typeof SIGNATURE_HEADER, string> {
  const keys = typeof key === 'string' ? [key] : [...key];
  if (keys.length === 0 || keys.some((k) => typeof k !== 'string' || k.length === 0)) {
    throw new AlertPipelineError('a webhook signing key must be a non-empty string', { code: 'invalid_key', retryable: false });
  }
  if (!Number.isSafeInteger(timestampSec) || timestampSec < 0) {
    throw new AlertPipelineError('timestampSec must be whole seconds', { code: 'invalid_timestamp', retryable: false });
  }
  return {
    [TIMESTAMP_HEADER]: String(timestampSec),
    [SIGNATURE_HEADER]: keys.map((k) => `v1=${hmacHex(k, String(timestampSec), body)}`).join(','),
  };
}

export type WebhookSignatureCheck = { ok: true } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

/** Reads a header case-insensitively from a plain record (API Gateway lower-cases them, Node keeps them as sent). */
function header(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/**
 * Verifies a received webhook: the raw body exactly as received, its headers, the receiver's key(s) and the time.
 * Constant-time comparison; a timestamp more than `toleranceSec` away from `nowSec` (either way) is `expired`.
 *
 * @example
 * const check = verifyWebhookSignature(rawBody, req.headers, [key, previousKey], nowSec);
 * if (!check.ok) return res.status(401).end(check.reason);
 */
export function verifyWebhookSignature(
  body: string,
  headers: Readonly<Record<string, string | undefined>>,
  key: string | readonly string[],
  nowSec: number,
  toleranceSec: number = DEFAULT_TOLERANCE_SECONDS,
): WebhookSignatureCheck {
  const ts = header(headers, TIMESTAMP_HEADER);
  const sig = header(headers, SIGNATURE_HEADER);
  if (ts === undefined || sig === undefined || !/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'malformed' };
  const given = sig
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1='))
    .map((s) => s.slice(3));
  if (given.length === 0 || given.some((g) => !/^[0-9a-f]{64}$/i.test(g))) return { ok: false, reason: 'malformed' };
  const timestampSec = Number(ts);
  const keys = (typeof key === 'string' ? [key] : [...key]).filter((k) => k.length > 0);
  let match = false;
  for (const k of keys) {
    const expected = Buffer.from(hmacHex(k, ts, body), 'hex'); // the header as received is what was signed
    for (const g of given) if (timingSafeEqual(expected, Buffer.from(g, 'hex'))) match = true;
  }
  if (!match) return { ok: false, reason: 'bad-signature' };
  if (Math.abs(nowSec - timestampSec) > toleranceSec) return { ok: false, reason: 'expired' };
  return { ok: true };
}
