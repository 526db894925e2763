/**
 * Calendar feed URLs (`/ical/<token>`): calendar apps cannot send auth headers, so the URL carries an HMAC-signed
 * token naming the schedule. It does not expire (calendar subscriptions are long-lived); rotating the key revokes
 * every feed URL at once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

function mac(payload: string, key: string): Buffer {
  return createHmac('sha256', key).update(`ical:${payload}`).digest();
}

export function signFeedToken(schedule: string, key: string): string {
  const payload = b64(schedule);
  return `${payload}.${mac(payload, key).toString('base64url')}`;
}

/** The schedule name of a valid token, or null. Accepts any of the keys (rotation). */
export function verifyFeedToken(token: string, keys: string | readonly string[]): string | null {
  if (typeof token !== 'string' || token.length > 512) return null;
  const [payload, sig, extra] = token.split('.');
  if (!payload || !sig || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]+$/.test(sig)) return null;
  const given = Buffer.from(sig, 'base64url');
  // Only the canonical encoding of a 32-byte MAC: no padding bits to flip into a second valid token.
  if (given.length !== 32 || given.toString('base64url') !== sig) return null;
  let ok = false;
  for (const key of typeof keys === 'string' ? [keys] : keys) {
    const expected = mac(payload, key);
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok ? Buffer.from(payload, 'base64url').toString('utf8') : null;
}
