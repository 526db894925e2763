/**
 * Stage "normalize", generic JSON webhooks: the CEL side (see webhook.ts for the source and its config). Each
 * webhook's mapping is compiled once (`compileWebhook`); the compiled function normalizes one body.
 *
 * Identity fields: webhook, fingerprint (the `fingerprint` expression's result). Resolve: the `action` expression
 * returns "resolve". Delivery key: the `deliveryKey` expression's result, else the request id and the alert's index.
 * A body the mapping cannot read is an InvalidPayloadError naming the mapping field (`mapping.severity`).
 *
 * This module is the only one of the normalizers that imports CEL: webhook.ts loads it on first use (a config with
 * webhooks), so a function that ingests other sources never evaluates CEL.
 */
import { ConfigError } from '../errors';
import { SEVERITIES, type AlertAction, type NormalizedAlert, type Severity } from '../model/alert';
import { celToString, celTypeName, compileExpression, type CompiledExpression } from '../rules/expressions';
import { clip, invalidField, type NormalizeContext, toIsoUtc } from './shared';
import type { GenericWebhookConfig, WebhookNormalizer } from './webhook-config';

const ACTIONS: readonly AlertAction[] = ['trigger', 'resolve', 'acknowledge', 'info'];
const MAPPING_FIELDS = ['title', 'fingerprint', 'deliveryKey', 'description', 'severity', 'action', 'occurredAt', 'alertUrl', 'resource'] as const;
type MappingField = (typeof MAPPING_FIELDS)[number];

/** Most alerts one body may carry. */
export const MAX_WEBHOOK_ALERTS = 1000;
/** Longest fingerprint or delivery key result kept (longer ones are rejected: they are identities, not text). */
const MAX_KEY_LENGTH = 1024;

/**
 * Compiles a webhook's mapping once; the returned function normalizes one body. Throws ConfigError naming
 * `sources.webhooks[<name>].mapping.<field>` when an expression does not compile.
 */
export function compileWebhook(webhook: GenericWebhookConfig): WebhookNormalizer {
  const name = webhook.name;
  const compile = (source: string, path: string): CompiledExpression => {
    try {
      return compileExpression(source, 'webhook');
    } catch (err) {
      throw new ConfigError([{ path: `sources.webhooks[${name}].${path}`, message: `invalid expression: ${(err as Error).message}` }]);
    }
  };
  const alertsExpr = webhook.alerts === undefined ? null : compile(webhook.alerts, 'alerts');
  const mapping: CompiledMapping = {};
  for (const field of MAPPING_FIELDS) {
    const source = webhook.mapping[field];
    if (source !== undefined) mapping[field] = compile(source, `mapping.${field}`);
  }
  const defaultSeverity: Severity = webhook.defaultSeverity ?? 'sev2';

  return (body, ctx) => {
    let items: unknown[];
    if (alertsExpr === null) items = [body];
    else {
      const r = alertsExpr.evaluate({ payload: body });
      if (!r.ok) throw invalidField('alerts', `expression failed on this body: ${r.error}`);
      if (!Array.isArray(r.value)) throw invalidField('alerts', `expression returned ${celTypeName(r.value)}, not a list`);
      if (r.value.length === 0) throw invalidField('alerts', 'expression returned an empty list');
      if (r.value.length > MAX_WEBHOOK_ALERTS) throw invalidField('alerts', `more than ${MAX_WEBHOOK_ALERTS} alerts in one body`);
      items = r.value;
    }
    return items.map((payload, index) => normalizeOne(name, mapping, defaultSeverity, { payload, index, batch: items.length > 1 || alertsExpr !== null }, ctx));
  };
}

type CompiledMapping = Partial<Record<MappingField, CompiledExpression>>;

/** Reads the mapped fields of one payload; a failure is a 400 naming `mapping.<field>` (and the alert of a batch). */
function fieldReader(mapping: CompiledMapping, payload: unknown, where: string) {
  const fail = (field: MappingField, message: string) => invalidField(`mapping.${field}`, `${message}${where}`);
  /** The field's result: undefined when the field is not mapped or the expression returned null. */
  const raw = (field: MappingField): unknown => {
    const e = mapping[field];
    if (e === undefined) return undefined;
    const r = e.evaluate({ payload: payload === undefined ? null : payload });
    if (!r.ok) throw fail(field, `expression failed: ${r.error}`);
    return r.value === null ? undefined : r.value;
  };
  const text = (field: MappingField, required: boolean): string | undefined => {
    const value = raw(field);
    if (value === undefined) {
      if (required) throw fail(field, 'expression returned null');
      return undefined;
    }
    const s = celToString(value);
    if (s === null) throw fail(field, `expected a string, got ${celTypeName(value)}`);
    return s;
  };
  const key = (field: 'fingerprint' | 'deliveryKey', required: boolean): string | undefined => {
    const s = text(field, required);
    if (s === undefined) return undefined;
    if (s.trim().length === 0) throw fail(field, 'must not be empty');
    if (s.length > MAX_KEY_LENGTH) throw fail(field, `longer than ${MAX_KEY_LENGTH} characters`);
    return s;
  };
  /** A field restricted to `allowed` values (severity, action). */
  const oneOf = <T extends string>(field: MappingField, allowed: readonly T[], expected: string): T | undefined => {
    const value = text(field, false);
    if (value !== undefined && !(allowed as readonly string[]).includes(value)) throw fail(field, `expected ${expected}, got ${JSON.stringify(clip(value, 40))}`);
    return value as T | undefined;
  };
  const time = (field: MappingField): string | undefined => {
    const at = raw(field);
    if (at === undefined) return undefined;
    const iso = at instanceof Date ? (Number.isNaN(at.getTime()) ? null : at.toISOString()) : typeof at === 'string' ? toIsoUtc(at) : null;
    if (iso === null) throw fail(field, 'expected an ISO 8601 time with an offset (or a CEL timestamp)');
    return iso;
  };
  return { fail, text, key, oneOf, time };
}

function normalizeOne(
  name: string,
  mapping: CompiledMapping,
  defaultSeverity: Severity,
  item: { payload: unknown; index: number; batch: boolean },
  ctx: NormalizeContext,
): NormalizedAlert {
  const { payload, index } = item;
  const read = fieldReader(mapping, payload, item.batch ? ` (alert ${index})` : '');
  const title = read.text('title', true) as string;
  if (title.trim().length === 0) throw read.fail('title', 'must not be empty');
  const fingerprint = read.key('fingerprint', true) as string;
  const deliveryKey = read.key('deliveryKey', false);
  const severityText = read.oneOf<Severity>('severity', SEVERITIES, 'sev1, sev2 or sev3');
  const severity = severityText ?? defaultSeverity;
  const action = read.oneOf<AlertAction>('action', ACTIONS, 'trigger, resolve, acknowledge or info') ?? 'trigger';
  const occurredAt = read.time('occurredAt') ?? ctx.receivedAt;
  const description = read.text('description', false);
  const alertUrl = read.text('alertUrl', false);
  const resource = read.text('resource', false);

  return {
    source: 'webhook',
    deliveryKey: deliveryKey !== undefined ? `wh:${name}:${deliveryKey}` : `wh:${name}:${ctx.requestId}:${index}`,
    identity: [
      ['webhook', name],
      ['fingerprint', fingerprint],
    ],
    fingerprintKey: `wh:${name}:${fingerprint}`,
    action,
    title: clip(title, 500),
    description: clip(description ?? '', 2000),
    severity,
    sourceSeverity: severityText ?? severity,
    occurredAt,
    alertUrl: alertUrl === undefined || alertUrl.trim() === '' ? null : clip(alertUrl, 2000),
    resource: resource === undefined || resource.trim() === '' ? null : clip(resource, 1024),
    labels: { webhook: name },
    raw: toJson(payload),
  } satisfies NormalizedAlert;
}

const compiled = new WeakMap<GenericWebhookConfig, WebhookNormalizer>();

/** Normalizes one body of a generic webhook; the webhook's mapping is compiled on first use and kept. */
export function normalizeGenericWebhook(webhook: GenericWebhookConfig, body: unknown, ctx: NormalizeContext): NormalizedAlert[] {
  let normalize = compiled.get(webhook);
  if (!normalize) {
    normalize = compileWebhook(webhook);
    compiled.set(webhook, normalize);
  }
  return normalize(body, ctx);
}

/**
 * A CEL value as plain JSON for `raw` (the alert crosses the queue as JSON): ints become numbers (strings beyond
 * 2^53), timestamps ISO strings, bytes base64, maps objects. Plain JSON input comes back as it was.
 */
function toJson(value: unknown, depth = 0): unknown {
  if (depth > 64) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((v) => toJson(v, depth + 1));
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) if (typeof k === 'string') out[k] = toJson(v, depth + 1);
      return out;
    }
    default:
      return null;
  }
}
