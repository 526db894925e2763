/**
 * Signed one-click links for notifications (`GET /act/{token}`): acknowledge or resolve an incident without logging
 * in. Pure: the key, the nonce and the time come in as arguments.
 *
 * Token: `base64url(JSON claims) + "." + base64url(HMAC-SHA256(key, base64url(JSON claims)))`, claims written with
 * short keys (`i` incident, `a` action, `e` expiry in epoch ms, `n` nonce, `r` recipient) to keep links short. Verification checks
 * the shape, then the signature against every key given (key rotation: sign with the newest, accept the newest and
 * the previous one), in constant time, then the expiry.
 *
 * Single use is the caller's job: the token says nothing about whether it was used. The `/act` handler must record
 * the nonce with a conditional write (`attribute_not_exists`, kept until `expiresAtMs`) before it acts, and treat an
 * already-recorded nonce as used. Because mail scanners and chat unfurlers fetch links, the GET should show a
 * confirmation page whose form POSTs the token; only the POST consumes the nonce and acts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { AlertPipelineError } from '../errors';

export type IncidentLinkAction = 'acknowledge' | 'resolve';

export interface ActionClaims {
  incidentId: string;
  action: IncidentLinkAction;
  /** The link stops working at this instant (epoch ms). */
  expiresAtMs: number;
  /** Random, unique per link: the single-use key the caller records. */
  nonce: string;
  /**
   * Who the link was sent to: a person's name, or `channel <name>` for a shared channel. The timeline records the
   * action as theirs ("bob via link"). Absent on links signed before recipients were (they record `link`).
   */
  recipient?: string | undefined;
}

export type ActionTokenCheck =
  | { ok: true; claims: ActionClaims; /** Index of the key that matched (0 = newest). */ keyIndex: number }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

const ACTION_CODES = { acknowledge: 'ack', resolve: 'res' } as const;

const WireClaims = z.strictObject({
  i: z.string().check(z.minLength(1), z.maxLength(256)),
  a: z.enum(['ack', 'res']),
  e: z.int().check(z.minimum(0)),
  n: z.string().check(z.minLength(1), z.maxLength(128)),
  r: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});

const B64URL = /^[A-Za-z0-9_-]+$/;
/** Longest token accepted before any decoding (a bound on work for hostile input). */
const MAX_TOKEN_LENGTH = 1024;

function mac(payload: string, key: string): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new AlertPipelineError('an action link key must be a non-empty string', { code: 'invalid_key', retryable: false });
  }
}

/**
 * Signs the claims of one action link.
 *
 * @example
 * const token = signActionToken({ incidentId: inc.id, action: 'acknowledge', expiresAtMs: now + 24 * 3600_000, nonce }, key);
 * const url = `${apiBase}/act/${token}`;
 */
export function signActionToken(claims: ActionClaims, key: string): string {
  checkKey(key);
  if (!Number.isSafeInteger(claims.expiresAtMs) || claims.expiresAtMs < 0) {
    throw new AlertPipelineError('expiresAtMs must be a non-negative integer', { code: 'invalid_claims', retryable: false });
  }
  const wire = { i: claims.incidentId, a: ACTION_CODES[claims.action], e: claims.expiresAtMs, n: claims.nonce, ...(claims.recipient ? { r: claims.recipient } : {}) };
  const parsed = z.safeParse(WireClaims, wire);
  if (!parsed.success) throw new AlertPipelineError('invalid action link claims', { code: 'invalid_claims', retryable: false, details: wire });
  const payload = Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
  return `${payload}.${mac(payload, key).toString('base64url')}`;
}

/**
 * Verifies a token with one key or several (rotation), at `nowMs`. Constant-time signature comparison.
 *
 * @example
 * const check = verifyActionToken(token, [currentKey, previousKey], now);
 * if (!check.ok) return notFound(check.reason);
 */
export function verifyActionToken(token: string, keys: string | readonly string[], nowMs: number): ActionTokenCheck {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 2 || !B64URL.test(parts[0]!) || !B64URL.test(parts[1]!)) return { ok: false, reason: 'malformed' };
  const [payload, signature] = parts as [string, string];
  const given = Buffer.from(signature, 'base64url');
  // Only the canonical encoding of a 32-byte MAC: no trailing bits to flip.
  if (given.length !== 32 || given.toString('base64url') !== signature) return { ok: false, reason: 'malformed' };
  const list = (typeof keys === 'string' ? [keys] : [...keys]).filter((k) => typeof k === 'string' && k.length > 0);
  let keyIndex = -1;
  // Every key is tried (no early exit), so the time taken does not tell which key matched.
  list.forEach((key, i) => {
    if (timingSafeEqual(mac(payload, key), given) && keyIndex < 0) keyIndex = i;
  });
  if (keyIndex < 0) return { ok: false, reason: 'bad-signature' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const parsed = z.safeParse(WireClaims, json);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const wire = parsed.data;
  if (!(nowMs < wire.e)) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    keyIndex,
    claims: { incidentId: wire.i, action: wire.a === 'ack' ? 'acknowledge' : 'resolve', expiresAtMs: wire.e, nonce: wire.n, ...(wire.r ? { recipient: wire.r } : {}) },
  };
}

/** The link for a token: `<apiBaseUrl>/act/<token>` (the base without a trailing slash is fine either way). */
export function actionUrl(apiBaseUrl: string, token: string): string {
  return `${apiBaseUrl.replace(/\/+$/, '')}/act/${token}`;
}
