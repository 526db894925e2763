/**
 * Compact item bodies. DynamoDB bills a write unit per started KB of the item, so the two items the processor
 * writes most — the incident head (rewritten once per fingerprint group per batch) and the alert-log entry (with its
 * decision trace) — keep their document as one binary attribute: JSON, raw-deflated (node:zlib) with a preset
 * dictionary of the field names and the phrases these documents repeat. A storm's incident head shrinks from ~2.4 KB
 * (3 units) to under 1 KB (1 unit), an alert-log entry from ~1.4 KB to ~0.5 KB (docs/performance.md).
 *
 * The first byte names the dictionary. A dictionary is never edited once items were written with it: a new one gets
 * a new id, and the old one stays here for reading. Keys, index keys and the version used by conditions stay plain
 * attributes; items written before this encoding (no `z` attribute) are read as they are.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { InvariantError } from '../../core/errors';

const INCIDENT_DICTIONARY_1 = JSON.stringify({
  firstAlert: { deliveryKey: '', title: '', action: 'trigger', occurredAt: '2026-01-01T00:00:00.000Z', receivedAt: '2026-01-01T00:00:00.000Z' },
  lastAlert: { deliveryKey: '', title: '', action: 'trigger', occurredAt: '2026-01-01T00:00:00.000Z', receivedAt: '2026-01-01T00:00:00.000Z' },
  phrases: 'threatstack cloudwatch alertmanager events-v2 webhook https://console.aws.amazon.com/cloudwatch/home?region= #alarmsV2:alarm/ https://app.threatstack.com/ :firing :resolved arn:aws:cloudwatch:',
  id: 'inc-',
  fingerprint: '',
  seq: 1,
  status: 'triggered',
  title: '',
  description: '\n\nAlert at the source: https://',
  source: 'cloudwatch',
  severity: 'sev2',
  tags: { source: 'threatstack', severity: 'sev1', team: '', service: '' },
  route: { service: '', team: '', escalationPolicy: '', rule: 'default' },
  alertUrl: 'https://',
  resource: '',
  openedAt: '2026-01-01T00:00:00.000Z',
  lastSeenAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  resolvedBy: null,
  suppressionReason: null,
  suppressedUntil: null,
  holdMinutes: null,
  snoozedUntil: null,
  assignee: null,
  escalation: 'pending',
  escalationRun: 0,
  escalationStep: -1,
  alertCount: 1,
  alertsLogged: 1,
  recentMessages: [['', 1]],
});

const ALERT_DICTIONARY_1 = JSON.stringify({
  phrases: 'threatstack cloudwatch alertmanager events-v2 webhook https://console.aws.amazon.com/cloudwatch/home?region= #alarmsV2:alarm/ arn:aws:cloudwatch: :firing :resolved',
  incidentId: 'inc-',
  deliveryKey: '',
  messageKey: '',
  source: 'cloudwatch',
  action: 'trigger',
  title: '',
  occurredAt: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-01-01T00:00:00.000Z',
  alertUrl: 'https://',
  archiveKey: 'raw/cloudwatch/2026/01/01/00/2026-01-01T00-00-00-000Z_.json',
  trace: {
    steps: [
      { stage: 'fingerprint', outcome: 'computed', reason: 'fingerprint from ', data: { key: '', inputs: {}, fingerprint: '' } },
      { stage: 'classify', outcome: 'default', reason: 'severity sev2 from the  mapping of ' },
      { stage: 'classify', outcome: 'matched', reason: 'rule  set severity ' },
      { stage: 'route', outcome: 'default', reason: 'no routing rule matched; default route to service , escalation policy ', data: { service: '', team: '', escalationPolicy: '', policyFrom: 'route' } },
      { stage: 'suppress', outcome: 'none', reason: 'no suppression rule or maintenance window matched' },
      { stage: 'deduplicate', outcome: 'joined', reason: 'joined open incident  ( alerts)', data: { incidentId: 'inc-', pages: false } },
      { stage: 'deduplicate', outcome: 'new-incident', reason: 'first alert of this fingerprint; opened inc-', data: { incidentId: 'inc-', pages: true } },
    ],
  },
});

/** Dictionaries by id (the body's first byte). */
const DICTIONARIES: Record<number, Buffer> = {
  1: Buffer.from(INCIDENT_DICTIONARY_1, 'utf8'),
  2: Buffer.from(ALERT_DICTIONARY_1, 'utf8'),
};

export const BODY_DICTIONARY = { incident: 1, alert: 2 } as const;

/** The document as a compact body: dictionary id, then the raw-deflated JSON. */
export function packBody(dictionary: number, doc: unknown): Uint8Array {
  const dict = DICTIONARIES[dictionary];
  if (!dict) throw new InvariantError(`unknown body dictionary ${dictionary}`);
  const deflated = deflateRawSync(Buffer.from(JSON.stringify(doc), 'utf8'), { level: 6, dictionary: dict });
  const out = new Uint8Array(deflated.length + 1);
  out[0] = dictionary;
  out.set(deflated, 1);
  return out;
}

/** The document a compact body holds. Throws on an unknown dictionary or a damaged body. */
export function unpackBody<T>(body: Uint8Array): T {
  const dict = DICTIONARIES[body[0] ?? -1];
  if (!dict) throw new InvariantError(`item body uses unknown dictionary ${body[0]}`);
  return JSON.parse(inflateRawSync(body.subarray(1), { dictionary: dict }).toString('utf8')) as T;
}
