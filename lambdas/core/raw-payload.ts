/**
 * The raw payload of an alert, for the console: the delivery exactly as the source sent it, read from the raw
 * archive through the archive key of the incident's own alert log (a caller names an incident and one of its alerts,
 * never a key). The body is answered as the text that was archived, never re-serialized, and capped.
 */
import { NotFoundError } from './errors';
import { sha256Hex } from './fingerprint';
import type { AlertRecord } from './model/incident';
import type { IncidentStore, RawArchive } from './ports';

/** The largest body the answer carries (bytes of UTF-8); a longer one is cut there and marked `truncated`. */
export const RAW_PAYLOAD_MAX_BYTES = 256 * 1024;

/** Prefix of every raw archive key (pipeline.ts `archiveKeyOf`). */
const RAW_PREFIX = 'raw/';

/** The id of an alert of an incident in the API: a short hash of its delivery key (delivery keys hold `/` and `:`). */
export function alertIdOf(deliveryKey: string): string {
  return sha256Hex(deliveryKey).slice(0, 16);
}

/** An alert-log entry as the API shows it: with its `alertId`. */
export const withAlertId = (rec: AlertRecord): AlertRecord & { alertId: string } => ({ ...rec, alertId: alertIdOf(rec.deliveryKey) });

/** The answer of `GET /api/incidents/{id}/alerts/{alertId}/raw`. */
export interface RawPayload {
  incidentId: string;
  alertId: string;
  deliveryKey: string;
  archiveKey: string;
  receivedAt: string;
  source: string;
  /** The ingest route that took the delivery (`threatstack-webhook`, `sns-https`, ...), when the archive recorded it. */
  via: string | null;
  contentType: string;
  /** Position of this alert among the alerts of the delivery (the body holds them all); null when not recorded. */
  alertIndex: number | null;
  /** The archived body as text, exactly as received (cut at `RAW_PAYLOAD_MAX_BYTES` when `truncated`). */
  body: string;
  /** Size of the whole archived body in bytes. */
  bytes: number;
  truncated: boolean;
}

/** The first `maxBytes` bytes of `text` as text, never cutting a character in two. */
export function capUtf8(text: string, maxBytes: number): { text: string; bytes: number; truncated: boolean } {
  const encoded = new TextEncoder().encode(text);
  if (encoded.length <= maxBytes) return { text, bytes: encoded.length, truncated: false };
  let end = maxBytes;
  while (end > 0 && (encoded[end]! & 0xc0) === 0x80) end -= 1; // a continuation byte: back to the character's start
  return { text: new TextDecoder().decode(encoded.subarray(0, end)), bytes: encoded.length, truncated: true };
}

export async function readRawPayload(
  deps: { store: Pick<IncidentStore, 'getIncident' | 'alerts'>; archive: Pick<RawArchive, 'get'> },
  incidentId: string,
  alertId: string,
  maxBytes = RAW_PAYLOAD_MAX_BYTES,
): Promise<RawPayload> {
  const incident = await deps.store.getIncident(incidentId);
  if (!incident) throw new NotFoundError(`no incident ${incidentId}`);
  const record = (await deps.store.alerts(incidentId)).find((a) => alertIdOf(a.deliveryKey) === alertId);
  if (!record) throw new NotFoundError(`incident ${incidentId} has no alert ${alertId}`);
  // The key comes from our own alert log; anything else is not a raw archive key and is never read.
  if (!record.archiveKey.startsWith(RAW_PREFIX) || record.archiveKey.split('/').includes('..')) {
    throw new NotFoundError(`alert ${alertId} of incident ${incidentId} has no raw archive key (${record.archiveKey || 'none'})`);
  }
  const object = await deps.archive.get(record.archiveKey);
  if (!object) {
    // The stack's archive has no expiry rule for raw/ (it only moves bodies to infrequent access after 30 days).
    throw new NotFoundError(
      `the raw archive no longer holds ${record.archiveKey} (received ${record.receivedAt}): the archive as deployed expires no raw body, ` +
        'so it was deleted by hand or by an expiration rule added to the bucket',
    );
  }
  const capped = capUtf8(object.body, maxBytes);
  return {
    incidentId,
    alertId,
    deliveryKey: record.deliveryKey,
    archiveKey: record.archiveKey,
    receivedAt: object.metadata.receivedAt ?? record.receivedAt,
    source: object.metadata.source ?? record.source,
    via: object.metadata.via ?? null,
    contentType: object.contentType ?? 'application/json',
    alertIndex: record.deliveryIndex ?? null,
    body: capped.text,
    bytes: capped.bytes,
    truncated: capped.truncated,
  };
}
