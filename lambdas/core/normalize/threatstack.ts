/**
 * Stage "normalize", source Threat Stack / F5 Distributed Cloud AIP webhooks (docs/formats.md §1).
 * Accepts a batch `{"alerts":[...]}` or one bare alert; numbers may arrive as strings; both spellings of the
 * organization name; unknown keys are kept (a vendor addition must not become a retry loop).
 * Identity fields: organization_id, source, server_or_region, normalized title. No resolve signal.
 */
import * as z from 'zod/mini';
import { AuthenticationError, formatPath } from '../errors';
import type { NormalizedAlert, Severity } from '../model/alert';
import { clip, invalidField, parseWith, type NormalizeContext } from './shared';
import type { SourceDescriptor } from './source';

const numeric = z.union([z.number(), z.pipe(z.string().check(z.regex(/^\s*-?\d+(\.\d+)?\s*$/)), z.transform(Number))]);

export const ThreatStackAlertSchema = z.looseObject({
  id: z.string().check(z.minLength(1), z.maxLength(256)),
  title: z.string().check(z.minLength(1)),
  created_at: numeric,
  severity: numeric,
  organization_id: z.string().check(z.minLength(1), z.maxLength(256)),
  server_or_region: z.string().check(z.minLength(1), z.maxLength(1024)),
  source: z.string().check(z.minLength(1), z.maxLength(64)),
  organization_name: z.optional(z.nullable(z.string())),
  organization_Name: z.optional(z.nullable(z.string())),
});
export type ThreatStackAlert = z.infer<typeof ThreatStackAlertSchema>;

const SEVERITY: Record<number, Severity> = { 1: 'sev1', 2: 'sev2', 3: 'sev3' };

/** Smallest and largest plausible epoch-millisecond values (2001-09-09 .. 2286-11-20): a 13-digit number. */
const MIN_EPOCH_MS = 1_000_000_000_000;
const MAX_EPOCH_MS = 9_999_999_999_999;

/** Identity fields that go into the Threat Stack fingerprint, in order. */
export const THREATSTACK_IDENTITY_FIELDS = ['organization_id', 'source', 'server_or_region', 'title'] as const;

/**
 * Replaces the variable parts of a Threat Stack title (IP addresses, numbers, quoted strings, the `by <user>` tail)
 * with placeholders, so repeats of the same rule on the same host share a fingerprint.
 */
export function normalizeThreatStackTitle(title: string): string {
  return title
    .replace(/\s+by\s+\S+\s*$/i, ' by <user>')
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '<str>')
    .replace(/\b(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\b/gi, '<ip>')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<ip>')
    .replace(/\b\d+(?:\.\d+)?\b/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Returns the alert objects of a Threat Stack body, whichever of the two shapes it has. */
function alertsOf(body: unknown): { items: unknown[]; pathOf: (i: number) => Array<string | number> } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidField('', 'expected a JSON object: {"alerts":[...]} or one alert');
  }
  const alerts = (body as { alerts?: unknown }).alerts;
  if (alerts !== undefined) {
    if (!Array.isArray(alerts)) throw invalidField('alerts', 'expected array');
    if (alerts.length === 0) throw invalidField('alerts', 'must not be empty');
    return { items: alerts, pathOf: (i) => ['alerts', i] };
  }
  return { items: [body], pathOf: () => [] };
}

export function normalizeThreatStack(body: unknown, ctx: NormalizeContext): NormalizedAlert[] {
  const { items, pathOf } = alertsOf(body);
  return items.map((item, i) => {
    const a = parseWith(ThreatStackAlertSchema, item, pathOf(i));
    const at = (field: string) => formatPath([...pathOf(i), field]);
    const severity = SEVERITY[a.severity];
    if (!severity) throw invalidField(at('severity'), 'expected 1, 2 or 3');
    if (!Number.isInteger(a.created_at) || a.created_at < MIN_EPOCH_MS || a.created_at > MAX_EPOCH_MS) {
      throw invalidField(at('created_at'), 'expected epoch milliseconds (13 digits)');
    }
    const orgName = a.organization_name ?? a.organization_Name ?? null;
    const normalizedTitle = normalizeThreatStackTitle(a.title);
    const identity: Array<[string, string]> = [
      ['organization_id', a.organization_id],
      ['source', a.source],
      ['server_or_region', a.server_or_region],
      ['title', normalizedTitle],
    ];
    const isHost = a.source.toLowerCase() === 'host';
    const labels: Record<string, string> = {
      organization_id: a.organization_id,
      ts_source: a.source,
      ts_severity: String(a.severity),
    };
    if (orgName) labels.organization = orgName;
    if (isHost) labels.host = a.server_or_region;
    else labels.region = a.server_or_region;
    return {
      source: 'threatstack',
      deliveryKey: `ts:${a.id}`,
      identity,
      fingerprintKey: `ts:${identity.map(([, v]) => v).join(':')}`,
      action: 'trigger',
      title: clip(a.title, 500),
      description: clip(
        `Threat Stack ${a.source} alert (severity ${a.severity})${orgName ? ` for ${orgName}` : ''} on ${a.server_or_region}: ${a.title}`,
        2000,
      ),
      severity,
      sourceSeverity: String(a.severity),
      occurredAt: new Date(a.created_at).toISOString(),
      alertUrl: ctx.options.threatstackAlertUrlTemplate.replace('{id}', encodeURIComponent(a.id)),
      resource: a.server_or_region,
      labels,
      raw: item,
    } satisfies NormalizedAlert;
  });
}

/** `sources.threatstack` of the pipeline config. */
export const ThreatStackOptionsSchema = z._default(
  z.strictObject({
    /** Link to an alert in the Threat Stack / F5 AIP console; `{id}` is replaced by the alert id. */
    alertUrlTemplate: z._default(z.string().check(z.includes('{id}')), 'https://app.threatstack.com/alerts/{id}'),
    /** When non-empty, only these source IPs may post (Threat Stack's documented senders). */
    allowedSourceIps: z._default(z.array(z.string()), []),
    /** Threat Stack sends no resolves: an incident with no new alert for this long resolves itself (0 = never). */
    autoResolveAfterMinutes: z._default(z.int().check(z.minimum(0), z.maximum(60 * 24 * 30)), 240),
  }),
  { alertUrlTemplate: 'https://app.threatstack.com/alerts/{id}', allowedSourceIps: [], autoResolveAfterMinutes: 240 },
);

export const THREATSTACK_SOURCE = {
  name: 'threatstack',
  displayName: 'Threat Stack / F5 Distributed Cloud AIP webhook',
  identityFields: THREATSTACK_IDENTITY_FIELDS,
  fingerprintKey: 'ts:<organization_id>:<source>:<server_or_region>:<normalized title>',
  alertsAre: 'events',
  resolveCondition:
    'Never: Threat Stack sends no resolve event, so incidents close by a human, a quiet-period timeout or REST polling of dismissed alerts.',
  idempotencyKey: 'The alert `id` (`ts:<id>`), so a batch resent up to three times is absorbed alert by alert.',
  exampleFixture: 'test/fixtures/events/threatstack/batch-host-and-cloudtrail.json',
  formatsSection: 'docs/sources.md (Threat Stack)',
  defaultVia: 'threatstack-webhook',
  options: { key: 'threatstack' as const, schema: ThreatStackOptionsSchema },
  routes: [
    {
      path: '/ingest/threatstack/{token}',
      auth: 'path-token',
      via: 'threatstack-webhook',
      output: { id: 'ThreatStackWebhookUrl', description: 'Threat Stack webhook URL: replace <INGEST_TOKEN> with the ingest token' },
      banner: 'Threat Stack',
    },
  ],
  prepare: (options) => {
    const allowedIps = new Set(options.allowedSourceIps);
    return {
      normalize: (_via, body, ctx) => normalizeThreatStack(body, ctx),
      admit: ({ sourceIp }) => {
        if (allowedIps.size > 0 && !allowedIps.has(sourceIp ?? '')) {
          throw new AuthenticationError(`source IP ${sourceIp ?? ''} is not an allowed Threat Stack sender`, { code: 'source_ip_not_allowed' });
        }
      },
    };
  },
} satisfies SourceDescriptor<z.infer<typeof ThreatStackOptionsSchema>>;
