/**
 * The queue message schema: what the processor accepts from the queue. Ingest only enqueues envelopes it built,
 * so a mismatch means a foreign or corrupted message; the processor dead-letters it with this error as reason.
 */
import * as z from 'zod/mini';
import { SEVERITIES, type AlertEnvelope } from './alert';
import { SOURCE_NAMES } from '../normalize/source-names';
import { parseWith } from '../normalize/shared';
import { InvalidPayloadError } from '../errors';

const AlertSchema = z.looseObject({
  source: z.enum(SOURCE_NAMES),
  deliveryKey: z.string().check(z.minLength(1)),
  identity: z.array(z.tuple([z.string(), z.string()])),
  fingerprintKey: z.string().check(z.minLength(1)),
  action: z.enum(['trigger', 'resolve', 'acknowledge', 'info']),
  title: z.string(),
  description: z.string(),
  severity: z.enum(SEVERITIES),
  sourceSeverity: z.string(),
  occurredAt: z.string(),
  alertUrl: z.nullable(z.string()),
  resource: z.nullable(z.string()),
  labels: z.record(z.string(), z.string()),
  raw: z.unknown(),
});

const EnvelopeSchema = z.looseObject({
  v: z.literal(1),
  messageKey: z.string().check(z.minLength(1)),
  source: z.enum(SOURCE_NAMES),
  via: z.string(),
  receivedAt: z.string(),
  archiveKey: z.string(),
  offset: z.optional(z.int().check(z.minimum(0))),
  raw: z.optional(z.object({ body: z.string(), requestId: z.string(), contentType: z.optional(z.string()) })),
  alerts: z.array(AlertSchema).check(z.minLength(1)),
});

export function parseEnvelope(body: string): AlertEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidPayloadError([{ path: '(message)', message: 'queue message is not JSON' }]);
  }
  return parseWith(EnvelopeSchema, value) as AlertEnvelope;
}
