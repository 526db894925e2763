/**
 * Stage "fingerprint" (after normalize, before deduplicate): turns a source's identity string into the key that
 * groups repeats of the same problem into one incident, and derives delivery/message keys.
 */
import { hash } from 'node:crypto';

/** A SHA-256 hex digest: the fingerprint as stored and compared. Branded so a raw string cannot pass for one. */
export type Fingerprint = string & { readonly __brand: 'Fingerprint' };

export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex'); // one call, no Hash object (strings hash as UTF-8)
}

/** Fingerprints computed lately, by key: a storm repeats a few keys (one SHA-256 was ~8 % of the core's time). */
const recentFingerprints = new Map<string, Fingerprint>();
/** Keys remembered at most; then the map starts over (a bound on memory, not an eviction policy). */
const FINGERPRINTS_KEPT = 4096;

/** The fingerprint of a canonical identity string (`ts:<org>:<source>:<host>:<title>`, `cw:<AlarmArn>`). */
export function fingerprintOf(fingerprintKey: string): Fingerprint {
  let fp = recentFingerprints.get(fingerprintKey);
  if (fp === undefined) {
    fp = sha256Hex(fingerprintKey) as Fingerprint;
    if (recentFingerprints.size >= FINGERPRINTS_KEPT) recentFingerprints.clear();
    recentFingerprints.set(fingerprintKey, fp);
  }
  return fp;
}

/** Short, stable form of a fingerprint used in incident ids and table keys (80 bits). */
export function shortFingerprint(fp: Fingerprint): string {
  return fp.slice(0, 20);
}

/**
 * The idempotency key of a delivery made of several alerts: order-independent, so the same batch resent in another
 * order is still the same delivery.
 */
export function messageKeyOf(source: string, deliveryKeys: readonly string[]): string {
  const sorted = [...new Set(deliveryKeys)].sort();
  return sha256Hex(`${source}\n${sorted.join('\n')}`).slice(0, 32);
}
