/**
 * Stage "fingerprint" (after normalize, before deduplicate): turns a source's identity string into the key that
 * groups repeats of the same problem into one incident, and derives delivery/message keys.
 */
import { createHash } from 'node:crypto';

/** A SHA-256 hex digest: the fingerprint as stored and compared. Branded so a raw string cannot pass for one. */
export type Fingerprint = string & { readonly __brand: 'Fingerprint' };

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** The fingerprint of a canonical identity string (`ts:<org>:<source>:<host>:<title>`, `cw:<AlarmArn>`). */
export function fingerprintOf(fingerprintKey: string): Fingerprint {
  return sha256Hex(fingerprintKey) as Fingerprint;
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
