/**
 * Stage "normalize", source PagerDuty Events API v2 bodies posted to `/ingest/events/v2` (docs/formats.md §4).
 * `routing_key` names the integration and is a credential: it is masked everywhere, and the fingerprint key uses a digest of it
 * (which is hashed before it is stored). `dedup_key` is required for acknowledge/resolve and generated for a trigger
 * without one, deterministically from the request id. Events v2 bodies carry no idempotency key of their own, so
 * the delivery key is the request id; repeats are absorbed by `dedup_key`.
 * Identity fields: routing_key, dedup_key. Resolve: `event_action: "resolve"`.
 */
import * as z from 'zod/mini';
import { sha256Hex } from '../fingerprint';
import type { NormalizedAlert, Severity } from '../model/alert';
import { clip, invalidField, parseWith, timestampString, type NormalizeContext } from './shared';
import type { SourceDescriptor } from './source';

/** Identity fields that go into the Events v2 fingerprint, in order. */
export const EVENTS_V2_IDENTITY_FIELDS = ['routing_key', 'dedup_key'] as const;

export const EVENT_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
export const EVENTS_V2_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type EventsV2Severity = (typeof EVENTS_V2_SEVERITIES)[number];

const SEVERITY: Record<EventsV2Severity, Severity> = { critical: 'sev1', error: 'sev2', warning: 'sev3', info: 'sev3' };

/** PagerDuty's limits (docs/formats.md §4). Longer summaries are cut, not rejected (PagerDuty's behaviour is unconfirmed). */
export const MAX_DEDUP_KEY = 255;
export const MAX_SUMMARY = 1024;
/** How much of the routing key may appear in labels, identity and raw: enough to tell integrations apart. */
const ROUTING_KEY_VISIBLE = 8;

const isoTime = timestampString.check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'timestamp out of range'));
const optionalString = z.optional(z.nullable(z.string()));

export const EventsV2PayloadSchema = z.looseObject({
  summary: z.string().check(z.minLength(1)),
  source: z.string().check(z.minLength(1)),
  severity: z.enum(EVENTS_V2_SEVERITIES),
  timestamp: z.optional(z.nullable(isoTime)),
  component: optionalString,
  group: optionalString,
  class: optionalString,
  custom_details: z.optional(z.unknown()),
});

export const EventsV2BodySchema = z.looseObject({
  routing_key: z.string().check(z.minLength(1)),
  event_action: z.enum(EVENT_ACTIONS),
  dedup_key: z.optional(z.nullable(z.string().check(z.maxLength(MAX_DEDUP_KEY)))),
  /** Validated for triggers only; PagerDuty ignores it on acknowledge/resolve. */
  payload: z.optional(z.unknown()),
  images: z.optional(z.unknown()),
  links: z.optional(z.nullable(z.array(z.looseObject({ href: z.string(), text: optionalString })))),
  client: optionalString,
  client_url: optionalString,
});

export interface EventsV2Result {
  alert: NormalizedAlert;
  /** The dedup key to answer with (`202 {"status":"success","dedup_key":...}`): the sender's or a generated one. */
  dedupKey: string;
  /** The full routing key, for the handler to look up the integration. Never log it. */
  routingKey: string;
}

/** The routing key with all but its first characters hidden. */
/** A stable, non-reversible stand-in for a routing key in fingerprint keys and traces. */
export function routingKeyDigest(routingKey: string): string {
  return sha256Hex(`events-v2:routing-key:${routingKey}`).slice(0, 16);
}

/**
 * An alert that came through a named integration (core/integrations), keyed by the integration instead of its routing
 * key: the key rotates, the integration stays, so a resolve sent with the new key finds the incident the old key
 * opened. (The single ingest token keeps the key digest, so incidents opened before integrations existed still match.)
 */
export function keyedByIntegration(alert: NormalizedAlert, integration: string): NormalizedAlert {
  const dedupKey = alert.identity.find(([k]) => k === 'dedup_key')?.[1] ?? '';
  return {
    ...alert,
    identity: [['routing_key', `integration:${integration}`], ['dedup_key', dedupKey]],
    fingerprintKey: `pd:integration:${integration}:${dedupKey}`,
  };
}

export function maskRoutingKey(routingKey: string): string {
  return routingKey.length <= ROUTING_KEY_VISIBLE ? routingKey : `${routingKey.slice(0, ROUTING_KEY_VISIBLE)}…`;
}

/** The dedup key of a trigger sent without one: derived from the request id only (no randomness), 32 hex chars. */
export function generatedDedupKey(requestId: string): string {
  return sha256Hex(`events-v2:dedup:${requestId}`).slice(0, 32);
}

function renderDetails(details: unknown): string | null {
  if (details === undefined || details === null) return null;
  if (typeof details === 'string') return details;
  try {
    return JSON.stringify(details);
  } catch {
    return null;
  }
}

export function normalizeEventsV2(body: unknown, ctx: NormalizeContext): EventsV2Result {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidField('', 'expected a JSON object (PagerDuty Events API v2 event)');
  }
  const e = parseWith(EventsV2BodySchema, body);
  const action = e.event_action;
  const sentKey = e.dedup_key ? e.dedup_key : null;
  if (!sentKey && action !== 'trigger') throw invalidField('dedup_key', `required for ${action}`);
  const dedupKey = sentKey ?? generatedDedupKey(ctx.requestId);
  const routingKey = e.routing_key;
  const maskedKey = maskRoutingKey(routingKey);

  let title: string;
  let description: string;
  let severity: Severity;
  let sourceSeverity: string;
  let occurredAt = ctx.receivedAt;
  let resource: string | null = null;
  const labels: Record<string, string> = {};
  if (action === 'trigger') {
    if (e.payload === undefined || e.payload === null) throw invalidField('payload', 'required for trigger');
    const p = parseWith(EventsV2PayloadSchema, e.payload, ['payload']);
    title = clip(p.summary, MAX_SUMMARY);
    const details = renderDetails(p.custom_details);
    description = clip(details ? `${p.summary}\n\n${details}` : p.summary, 2000);
    severity = SEVERITY[p.severity];
    sourceSeverity = p.severity;
    if (p.timestamp) occurredAt = p.timestamp;
    resource = p.source;
    if (p.component) labels.component = p.component;
    if (p.group) labels.group = p.group;
    if (p.class) labels.class = p.class;
    labels.source = p.source;
  } else {
    title = clip(`${action}: ${dedupKey}`, 500);
    description = `PagerDuty Events v2 ${action} for dedup_key ${dedupKey}`;
    // Acknowledge/resolve carry no severity; the lowest one cannot raise an incident's severity.
    severity = 'sev3';
    sourceSeverity = action;
  }
  labels.routing_key = maskedKey;

  const firstLink = e.links?.find((l) => l.href)?.href;
  const alert: NormalizedAlert = {
    source: 'events-v2',
    deliveryKey: `pd:${ctx.requestId}`,
    identity: [
      ['routing_key', maskedKey],
      ['dedup_key', dedupKey],
    ],
    // The routing key is a credential (our ingest token): the fingerprint key carries a digest of it, never the key.
    fingerprintKey: `pd:${routingKeyDigest(routingKey)}:${dedupKey}`,
    action,
    title,
    description,
    severity,
    sourceSeverity,
    occurredAt,
    alertUrl: firstLink ?? (e.client_url ? e.client_url : null),
    resource,
    labels,
    raw: { ...body, routing_key: maskedKey },
  };
  return { alert, dedupKey, routingKey };
}

export const EVENTS_V2_SOURCE = {
  name: 'events-v2',
  displayName: 'PagerDuty Events API v2 (compatible senders)',
  identityFields: EVENTS_V2_IDENTITY_FIELDS,
  fingerprintKey: 'pd:<routing_key>:<dedup_key>',
  alertsAre: 'states',
  resolveCondition: 'An event with `event_action: "resolve"` and the same `routing_key` and `dedup_key`.',
  idempotencyKey:
    'None in the payload: each request is its own delivery (`pd:<request id>`) and repeats are absorbed by `dedup_key` grouping.',
  exampleFixture: 'test/fixtures/events/events-v2/trigger.json',
  formatsSection: 'docs/sources.md (Events API v2)',
  defaultVia: 'events-v2',
  routes: [
    {
      path: '/ingest/events/v2',
      auth: 'routing-key',
      via: 'events-v2',
      output: { id: 'EventsV2Url', description: 'PagerDuty Events API v2 compatible endpoint: routing_key = the ingest token' },
      banner: 'Events API v2',
    },
  ],
  prepare: () => ({ normalize: (_via, body, ctx) => [normalizeEventsV2(body, ctx).alert] }),
} satisfies SourceDescriptor;
