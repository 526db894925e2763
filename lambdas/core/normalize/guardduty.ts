/**
 * Stage "normalize", source Amazon GuardDuty findings, delivered as EventBridge "GuardDuty Finding" events (the
 * stack's optional rule, or `POST /ingest/eventbridge/{token}` for events forwarded by an API destination).
 * GuardDuty sends a new finding and then updates of the same finding (same `id`, a higher `service.count`, a new
 * `updatedAt`), so the finding id is the identity and the update time the delivery.
 * Identity fields: accountId, region, id. Resolve: the finding is archived (`service.archived: true`).
 * Severity bands (GuardDuty's own): 7.0 and above High (and Critical) -> sev1, 4.0-6.9 Medium -> sev2, below Low -> sev3.
 */
import * as z from 'zod/mini';
import type { NormalizedAlert, Severity } from '../model/alert';
import { clip, parseWith, timestampString, type NormalizeContext } from './shared';
import type { SourceDescriptor } from './source';

export const GUARDDUTY_IDENTITY_FIELDS = ['accountId', 'region', 'id'] as const;
export const GUARDDUTY_FINDING = 'GuardDuty Finding';

const nonEmpty = z.string().check(z.minLength(1), z.maxLength(1024));
const optionalString = z.optional(z.nullable(z.string()));
const isoTime = timestampString.check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'timestamp out of range'));

export const GuardDutyFindingSchema = z.looseObject({
  schemaVersion: optionalString,
  accountId: z.string().check(z.regex(/^\d{12}$/, 'expected a 12-digit account id')),
  region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected a Region code')),
  id: nonEmpty,
  arn: optionalString,
  type: nonEmpty,
  severity: z.number().check(z.minimum(0), z.maximum(10)),
  title: z.string().check(z.minLength(1)),
  description: optionalString,
  createdAt: isoTime,
  updatedAt: isoTime,
  resource: z.optional(z.nullable(z.looseObject({ resourceType: optionalString }))),
  service: z.optional(
    z.nullable(z.looseObject({ archived: z.optional(z.nullable(z.boolean())), count: z.optional(z.nullable(z.number())), detectorId: optionalString })),
  ),
});

export const GuardDutyEventSchema = z.looseObject({
  'detail-type': z.literal(GUARDDUTY_FINDING),
  source: z.literal('aws.guardduty'),
  id: optionalString,
  detail: GuardDutyFindingSchema,
});

/** GuardDuty's severity bands. */
export function guardDutySeverity(value: number): Severity {
  if (value >= 7) return 'sev1';
  if (value >= 4) return 'sev2';
  return 'sev3';
}

/** The finding in the GuardDuty console. */
export function guardDutyFindingUrl(region: string, id: string): string {
  return `https://${region}.console.aws.amazon.com/guardduty/home?region=${region}#/findings?search=id%3D${encodeURIComponent(id)}`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** What is affected: the instance, the access key's user, the bucket, else the resource type. */
function resourceOf(resource: Record<string, unknown> | null | undefined): string | null {
  if (!resource) return null;
  const pick = (obj: unknown, key: string): string | null => (isRecord(obj) && typeof obj[key] === 'string' && obj[key] ? (obj[key] as string) : null);
  const buckets = resource.s3BucketDetails;
  return (
    pick(resource.instanceDetails, 'instanceId') ??
    pick(resource.accessKeyDetails, 'userName') ??
    (Array.isArray(buckets) ? pick(buckets[0], 'name') : null) ??
    pick(resource.eksClusterDetails, 'name') ??
    pick(resource, 'resourceType')
  );
}

/** Normalizes one EventBridge "GuardDuty Finding" event into one alert. */
export function normalizeGuardDutyEvent(event: unknown, _ctx: NormalizeContext): NormalizedAlert[] {
  const e = parseWith(GuardDutyEventSchema, event);
  const f = e.detail;
  const labels: Record<string, string> = { account: f.accountId, region: f.region, finding_type: f.type, via: 'eventbridge' };
  if (f.resource?.resourceType) labels.resource_type = f.resource.resourceType;
  if (typeof f.service?.count === 'number') labels.count = String(f.service.count);
  if (f.service?.detectorId) labels.detector_id = f.service.detectorId;
  return [
    {
      source: 'guardduty',
      deliveryKey: `gd:${f.accountId}:${f.region}:${f.id}|${f.updatedAt}`,
      identity: [
        ['accountId', f.accountId],
        ['region', f.region],
        ['id', f.id],
      ],
      fingerprintKey: `gd:${f.accountId}:${f.region}:${f.id}`,
      action: f.service?.archived === true ? 'resolve' : 'trigger',
      title: clip(f.title, 500),
      description: clip(f.description || f.title, 2000),
      severity: guardDutySeverity(f.severity),
      sourceSeverity: String(f.severity),
      occurredAt: f.updatedAt,
      alertUrl: guardDutyFindingUrl(f.region, f.id),
      resource: resourceOf(f.resource),
      labels,
      raw: f,
    },
  ];
}

/** `sources.guardduty` of the pipeline config. */
export const GuardDutyOptionsSchema = z._default(
  z.strictObject({
    /** Create an EventBridge rule that takes every "GuardDuty Finding" of the account and Region. */
    eventBridgeRule: z._default(z.boolean(), false),
  }),
  { eventBridgeRule: false },
);

export const GUARDDUTY_SOURCE = {
  name: 'guardduty',
  displayName: 'Amazon GuardDuty findings (EventBridge "GuardDuty Finding")',
  identityFields: GUARDDUTY_IDENTITY_FIELDS,
  fingerprintKey: 'gd:<accountId>:<region>:<finding id>',
  alertsAre: 'states',
  resolveCondition: 'The finding is archived (`detail.service.archived` is true); otherwise incidents close by a human or auto-resolve rules.',
  idempotencyKey: 'The finding and its update time `gd:<accountId>:<region>:<id>|<updatedAt>`: a re-sent update is one delivery, a new update (higher `service.count`) counts.',
  exampleFixture: 'test/fixtures/events/guardduty/finding-ssh-brute-force.json',
  formatsSection: 'docs/sources.md (GuardDuty)',
  defaultVia: 'eventbridge',
  options: { key: 'guardduty' as const, schema: GuardDutyOptionsSchema },
  routes: [],
  eventBridge: [{ source: 'aws.guardduty', detailType: GUARDDUTY_FINDING, normalize: normalizeGuardDutyEvent }],
  eventBridgeRule: {
    id: 'GuardDutyFindingRule',
    description: 'Every GuardDuty finding in this account and Region goes to the alert pipeline',
    enabled: (options) => options.eventBridgeRule,
  },
  prepare: () => ({ normalize: (_via, body, ctx) => normalizeGuardDutyEvent(body, ctx) }),
} satisfies SourceDescriptor<z.infer<typeof GuardDutyOptionsSchema>>;
