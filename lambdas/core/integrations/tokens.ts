/**
 * Integration token secrets and their constant-time lookup.
 *
 * An integration's secret is `{"current": "...", "previous"?: "...", "previousValidUntil"?: "<ISO time>"}`: after a
 * rotation the previous token keeps working until `previousValidUntil` (a `previous` without it is not accepted).
 * The single ingest token of earlier versions (the `default` integration) keeps its `{"token", "previousToken"?}`
 * shape, whose previous token has no end (removed by hand, docs/deploy.md).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface TokenDocument {
  current: string;
  previous?: string;
  /** ISO time after which `previous` is refused. */
  previousValidUntil?: string;
}

/** A token with the end of its validity (null: no end). */
export interface ValidToken {
  value: string;
  until: number | null;
}

/** Longest token compared (longer presented values are refused without hashing). */
export const MAX_TOKEN_LENGTH = 512;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** The tokens a stored secret holds, with their validity; [] for anything that is not a token secret. */
export function tokensOfSecret(secret: unknown): ValidToken[] {
  if (secret === null || typeof secret !== 'object') return [];
  const s = secret as Record<string, unknown>;
  const current = str(s.current);
  if (current !== undefined) {
    const previous = str(s.previous);
    const until = str(s.previousValidUntil) === undefined ? Number.NaN : Date.parse(s.previousValidUntil as string);
    return [{ value: current, until: null }, ...(previous !== undefined && !Number.isNaN(until) ? [{ value: previous, until }] : [])];
  }
  // The single ingest token's shape.
  return [str(s.token), str(s.previousToken)].filter((v): v is string => v !== undefined).map((value) => ({ value, until: null }));
}

/** The token values accepted at `nowMs`. */
export function acceptedTokens(tokens: readonly ValidToken[], nowMs: number): string[] {
  return tokens.filter((t) => t.until === null || nowMs < t.until).map((t) => t.value);
}

/** The secret after a rotation: a new current token, the old one accepted for `graceHours` more. */
export function rotatedSecret(before: unknown, newToken: string, nowMs: number, graceHours: number): TokenDocument {
  const old = tokensOfSecret(before)[0]?.value;
  if (old === undefined || graceHours === 0) return { current: newToken };
  return { current: newToken, previous: old, previousValidUntil: new Date(nowMs + graceHours * 3_600_000).toISOString() };
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * The candidate whose tokens include the presented one, compared in constant time: every token of every candidate
 * is compared (SHA-256 first, so lengths do not leak either), whichever matches. Null when none does.
 */
export function matchToken<T>(presented: string | undefined | null, candidates: ReadonlyArray<{ key: T; tokens: readonly string[] }>): T | null {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > MAX_TOKEN_LENGTH) return null;
  const p = digest(presented);
  let found: T | null = null;
  for (const c of candidates) {
    for (const t of c.tokens) {
      if (timingSafeEqual(p, digest(t)) && found === null) found = c.key;
    }
  }
  return found;
}
