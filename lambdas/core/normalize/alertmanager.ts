/**
 * Stage "normalize", source Prometheus Alertmanager webhooks, version 4 (docs/formats.md §5).
 * One POST is one group and may mix firing and resolved alerts: one normalized alert per `alerts[]` element.
 * `notification_reason` (v0.32+) and `routeLabels` (v0.34+) are optional; unknown keys are accepted.
 * Identity fields: externalURL, fingerprint. Resolve: per-alert `status: "resolved"`.
 */
import * as z from 'zod/mini';
import { SEVERITIES, type NormalizedAlert, type Severity } from '../model/alert';
import { clip, invalidField, isCanonicalUtc, isPlainStringMap, parseWith, timestampString, toIsoUtc, type NormalizeContext } from './shared';
import type { SourceDescriptor } from './source';

/** Identity fields that go into the Alertmanager fingerprint, in order. */
export const ALERTMANAGER_IDENTITY_FIELDS = ['externalURL', 'fingerprint'] as const;

const isoTime = timestampString.check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'timestamp out of range'));
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const stringMap = z.record(z.string(), z.string());
const optionalString = z.optional(z.nullable(z.string()));
const alertStatus = z.enum(['firing', 'resolved']);

export const AlertmanagerAlertSchema = z.looseObject({
  status: alertStatus,
  labels: stringMap,
  annotations: z.optional(z.nullable(stringMap)),
  startsAt: isoTime,
  /** `0001-01-01T00:00:00Z` while firing: treated as unset. */
  endsAt: optionalString,
  generatorURL: optionalString,
  fingerprint: z.string().check(z.minLength(1)),
});
export type AlertmanagerAlert = z.infer<typeof AlertmanagerAlertSchema>;

export const AlertmanagerWebhookSchema = z.looseObject({
  version: z.literal('4'),
  groupKey: optionalString,
  truncatedAlerts: z.optional(z.nullable(z.number())),
  status: z.optional(z.nullable(alertStatus)),
  receiver: z.string(),
  groupLabels: z.optional(z.nullable(stringMap)),
  commonLabels: z.optional(z.nullable(stringMap)),
  commonAnnotations: z.optional(z.nullable(stringMap)),
  externalURL: z.string().check(z.minLength(1)),
  notification_reason: optionalString,
  routeLabels: z.optional(z.nullable(stringMap)),
  alerts: z.array(z.unknown()).check(z.minLength(1)),
});

function isOptionalString(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

/**
 * What `AlertmanagerAlertSchema` gives for `item`, computed without running the schema when `item` is a JSON object
 * the schema accepts field by field (maps of strings, `startsAt` a timestamp, which becomes ISO UTC as the schema
 * makes it); null means "ask the schema", which names the bad field. The schema's parse took ~3.5 µs of an alert's
 * ~20 µs in the core bench (docs/performance.md).
 */
function plainAlert(item: unknown): AlertmanagerAlert | null {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return null;
  const a = item as AlertmanagerAlert;
  const ok =
    (a.status === 'firing' || a.status === 'resolved') &&
    isPlainStringMap(a.labels) &&
    (a.annotations === undefined || a.annotations === null || isPlainStringMap(a.annotations)) &&
    typeof a.startsAt === 'string' &&
    isOptionalString(a.endsAt) &&
    isOptionalString(a.generatorURL) &&
    typeof a.fingerprint === 'string' &&
    a.fingerprint.length > 0;
  if (!ok) return null;
  if (isCanonicalUtc(a.startsAt)) return a;
  const startsAt = toIsoUtc(a.startsAt);
  return startsAt !== null && ISO_UTC.test(startsAt) ? { ...a, startsAt } : null;
}

/** `endsAt` as ISO UTC, or null when unset (year 1, empty); an unparseable value is an error. */
function endsAtOf(value: string | null | undefined, path: string): string | null {
  if (!value || value.startsWith('0001-01-01')) return null;
  const iso = toIsoUtc(value);
  if (iso === null || !ISO_UTC.test(iso)) throw invalidField(path, 'expected an RFC 3339 timestamp');
  return iso;
}

function severityOf(label: string | undefined, ctx: NormalizeContext): Severity {
  const map = ctx.options.alertmanagerSeverityMap;
  // Own keys only: a label value such as "constructor" must not find Object.prototype members.
  if (label !== undefined && Object.hasOwn(map, label)) {
    const mapped = map[label];
    if (mapped) return mapped;
  }
  return ctx.options.alertmanagerDefaultSeverity;
}

function nonEmpty(value: string | null | undefined): string | null {
  return value ? value : null;
}

/**
 * One normalized alert per `alerts[]` element; every element is validated before any is built, so a bad alert
 * rejects the whole body. Title: `annotations.summary`, else `labels.alertname`. Resource: the first of the labels
 * instance, pod, service, job, else the alert name. A resolved alert occurred at its `endsAt`, a firing one at
 * its `startsAt`.
 */
export function normalizeAlertmanager(body: unknown, ctx: NormalizeContext): NormalizedAlert[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidField('', 'expected a JSON object (Alertmanager webhook)');
  }
  const version = (body as { version?: unknown }).version;
  if (version !== '4') {
    const got = typeof version === 'string' ? JSON.stringify(version) : version === undefined ? 'nothing' : typeof version;
    throw invalidField('version', `expected "4", got ${got}`);
  }
  const group = parseWith(AlertmanagerWebhookSchema, body);
  const externalURL = group.externalURL;
  // Parse every alert before building any: a bad alert rejects the whole body.
  const alerts = group.alerts.map((item, i) => plainAlert(item) ?? parseWith(AlertmanagerAlertSchema, item, ['alerts', i]));
  return alerts.map((a, i) => {
    const endsAt = endsAtOf(a.endsAt, `alerts[${i}].endsAt`);
    const annotations = a.annotations ?? {};
    const summary = nonEmpty(annotations.summary);
    const alertname = nonEmpty(a.labels.alertname);
    const title = summary ?? alertname ?? `Alertmanager alert ${a.fingerprint}`;
    const severityLabel = a.labels.severity;
    const labels: Record<string, string> = { ...a.labels, am_receiver: group.receiver };
    return {
      source: 'alertmanager',
      deliveryKey: `am:${externalURL}:${a.fingerprint}:${a.startsAt}:${a.status}`,
      identity: [
        ['externalURL', externalURL],
        ['fingerprint', a.fingerprint],
      ],
      fingerprintKey: `am:${externalURL}:${a.fingerprint}`,
      action: a.status === 'firing' ? 'trigger' : 'resolve',
      title: clip(title, 500),
      description: clip(nonEmpty(annotations.description) ?? summary ?? title, 2000),
      severity: severityOf(severityLabel, ctx),
      sourceSeverity: severityLabel ?? '',
      // A resolved alert happened when it ended; a firing one when it started.
      occurredAt: a.status === 'resolved' && endsAt ? endsAt : a.startsAt,
      alertUrl: nonEmpty(a.generatorURL),
      resource:
        nonEmpty(a.labels.instance) ?? nonEmpty(a.labels.pod) ?? nonEmpty(a.labels.service) ?? nonEmpty(a.labels.job) ?? alertname,
      labels,
      raw: group.alerts[i],
    } satisfies NormalizedAlert;
  });
}

const DEFAULT_SEVERITY_MAP = { critical: 'sev1', page: 'sev1', error: 'sev2', warning: 'sev2', info: 'sev3', none: 'sev3' } as const;

/** `sources.alertmanager` of the pipeline config. */
export const AlertmanagerOptionsSchema = z._default(
  z.strictObject({
    severityMap: z._default(z.record(z.string(), z.enum(SEVERITIES)), { ...DEFAULT_SEVERITY_MAP }),
    defaultSeverity: z._default(z.enum(SEVERITIES), 'sev2'),
  }),
  { severityMap: { ...DEFAULT_SEVERITY_MAP }, defaultSeverity: 'sev2' },
);

export const ALERTMANAGER_SOURCE = {
  name: 'alertmanager',
  displayName: 'Prometheus Alertmanager webhook (version 4)',
  identityFields: ALERTMANAGER_IDENTITY_FIELDS,
  fingerprintKey: 'am:<externalURL>:<fingerprint>',
  alertsAre: 'states',
  resolveCondition: 'The alert itself has `status: "resolved"` (per alert, not the group status).',
  idempotencyKey:
    'Per alert `am:<externalURL>:<fingerprint>:<startsAt>:<status>`, so repeat notifications and HA duplicates of one alert state are one delivery.',
  exampleFixture: 'test/fixtures/events/alertmanager/firing-and-resolved.json',
  formatsSection: 'docs/sources.md (Alertmanager)',
  defaultVia: 'alertmanager-webhook',
  options: { key: 'alertmanager' as const, schema: AlertmanagerOptionsSchema },
  routes: [
    {
      path: '/ingest/alertmanager/{token}',
      auth: 'path-token',
      via: 'alertmanager-webhook',
      output: { id: 'AlertmanagerWebhookUrl', description: 'Alertmanager webhook_config url: replace <INGEST_TOKEN> with the ingest token' },
      banner: 'Alertmanager',
    },
  ],
  prepare: () => ({ normalize: (_via, body, ctx) => normalizeAlertmanager(body, ctx) }),
} satisfies SourceDescriptor<z.infer<typeof AlertmanagerOptionsSchema>>;
