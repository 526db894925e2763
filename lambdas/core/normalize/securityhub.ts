/**
 * Stage "normalize", source AWS Security Hub findings in the AWS Security Finding Format (ASFF), delivered as
 * EventBridge "Security Hub Findings - Imported" events (one finding per event in `detail.findings`). Security Hub
 * re-sends a finding whenever it changes (`UpdatedAt`, `Workflow.Status`, `RecordState`).
 * Identity fields: ProductArn, Id. Resolve: `RecordState` ARCHIVED or `Workflow.Status` RESOLVED / SUPPRESSED.
 * Severity: `Severity.Label` CRITICAL/HIGH -> sev1, MEDIUM -> sev2, LOW/INFORMATIONAL -> sev3.
 */
import * as z from 'zod/mini';
import type { NormalizedAlert, Severity } from '../model/alert';
import { clip, parseWith, timestampString, type NormalizeContext } from './shared';
import type { SourceDescriptor } from './source';

export const SECURITYHUB_IDENTITY_FIELDS = ['ProductArn', 'Id'] as const;
export const FINDINGS_IMPORTED = 'Security Hub Findings - Imported';

const nonEmpty = z.string().check(z.minLength(1), z.maxLength(2048));
const optionalString = z.optional(z.nullable(z.string()));
const isoTime = timestampString.check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'timestamp out of range'));
const LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

export const AsffFindingSchema = z.looseObject({
  SchemaVersion: optionalString,
  Id: nonEmpty,
  ProductArn: nonEmpty,
  GeneratorId: optionalString,
  AwsAccountId: z.string().check(z.regex(/^\d{12}$/, 'expected a 12-digit account id')),
  Region: optionalString,
  CreatedAt: isoTime,
  UpdatedAt: isoTime,
  Severity: z.looseObject({ Label: z.enum(LABELS) }),
  Title: z.string().check(z.minLength(1)),
  Description: optionalString,
  Types: z.optional(z.nullable(z.array(z.string()))),
  ProductName: optionalString,
  Resources: z.optional(z.nullable(z.array(z.looseObject({ Type: optionalString, Id: optionalString, Region: optionalString })))),
  Workflow: z.optional(z.nullable(z.looseObject({ Status: z.optional(z.nullable(z.enum(['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED']))) }))),
  RecordState: z.optional(z.nullable(z.enum(['ACTIVE', 'ARCHIVED']))),
  Compliance: z.optional(z.nullable(z.looseObject({ Status: optionalString }))),
});

export const SecurityHubEventSchema = z.looseObject({
  'detail-type': z.literal(FINDINGS_IMPORTED),
  source: z.literal('aws.securityhub'),
  region: nonEmpty,
  detail: z.looseObject({ findings: z.array(z.unknown()).check(z.minLength(1), z.maxLength(100)) }),
});

const SEVERITY: Record<(typeof LABELS)[number], Severity> = { CRITICAL: 'sev1', HIGH: 'sev1', MEDIUM: 'sev2', LOW: 'sev3', INFORMATIONAL: 'sev3' };

/** The finding in the Security Hub console (a findings search on its Id). */
export function securityHubFindingUrl(region: string, id: string): string {
  const filter = encodeURIComponent(`Id=\\operator\\:EQUALS\\:${id}`);
  return `https://${region}.console.aws.amazon.com/securityhub/home?region=${region}#/findings?search=${encodeURIComponent(filter)}`;
}

/** Normalizes one "Security Hub Findings - Imported" event: one alert per finding (Security Hub sends one). */
export function normalizeSecurityHubEvent(event: unknown, _ctx: NormalizeContext): NormalizedAlert[] {
  const e = parseWith(SecurityHubEventSchema, event);
  const findings = e.detail.findings.map((f, i) => parseWith(AsffFindingSchema, f, ['detail', 'findings', i]));
  return findings.map((f) => {
    const region = f.Region || e.region;
    const workflow = f.Workflow?.Status ?? null;
    const state = f.RecordState ?? 'ACTIVE';
    const resolved = state === 'ARCHIVED' || workflow === 'RESOLVED' || workflow === 'SUPPRESSED';
    const resource = f.Resources?.find((r) => r.Id)?.Id ?? null;
    const labels: Record<string, string> = { account: f.AwsAccountId, region, record_state: state, via: 'eventbridge' };
    if (workflow) labels.workflow_status = workflow;
    if (f.ProductName) labels.product_name = f.ProductName;
    if (f.GeneratorId) labels.generator_id = f.GeneratorId;
    if (f.Compliance?.Status) labels.compliance_status = f.Compliance.Status;
    const resourceType = f.Resources?.find((r) => r.Type)?.Type;
    if (resourceType) labels.resource_type = resourceType;
    return {
      source: 'securityhub',
      deliveryKey: `sh:${f.ProductArn}:${f.Id}|${f.UpdatedAt}|${workflow ?? '-'}|${state}`,
      identity: [
        ['ProductArn', f.ProductArn],
        ['Id', f.Id],
      ],
      fingerprintKey: `sh:${f.ProductArn}:${f.Id}`,
      action: resolved ? 'resolve' : 'trigger',
      title: clip(f.Title, 500),
      description: clip(f.Description || f.Title, 2000),
      severity: SEVERITY[f.Severity.Label],
      sourceSeverity: f.Severity.Label,
      occurredAt: f.UpdatedAt,
      alertUrl: securityHubFindingUrl(region, f.Id),
      resource,
      labels,
      raw: f,
    } satisfies NormalizedAlert;
  });
}

/** `sources.securityhub` of the pipeline config. */
export const SecurityHubOptionsSchema = z._default(
  z.strictObject({
    /** Create an EventBridge rule that takes every "Security Hub Findings - Imported" of the account and Region. */
    eventBridgeRule: z._default(z.boolean(), false),
  }),
  { eventBridgeRule: false },
);

export const SECURITYHUB_SOURCE = {
  name: 'securityhub',
  displayName: 'AWS Security Hub findings, ASFF (EventBridge "Security Hub Findings - Imported")',
  identityFields: SECURITYHUB_IDENTITY_FIELDS,
  fingerprintKey: 'sh:<ProductArn>:<Id>',
  alertsAre: 'states',
  resolveCondition: 'The finding is archived (`RecordState: ARCHIVED`) or its workflow status is RESOLVED or SUPPRESSED.',
  idempotencyKey: 'The finding and its state `sh:<ProductArn>:<Id>|<UpdatedAt>|<Workflow.Status>|<RecordState>`: a re-sent update is one delivery, any change counts.',
  exampleFixture: 'test/fixtures/events/securityhub/finding-imported-high.json',
  formatsSection: 'docs/sources.md (Security Hub)',
  defaultVia: 'eventbridge',
  options: { key: 'securityhub' as const, schema: SecurityHubOptionsSchema },
  routes: [],
  eventBridge: [{ source: 'aws.securityhub', detailType: FINDINGS_IMPORTED, normalize: normalizeSecurityHubEvent }],
  eventBridgeRule: {
    id: 'SecurityHubFindingsRule',
    description: 'Every Security Hub finding imported in this account and Region goes to the alert pipeline',
    enabled: (options) => options.eventBridgeRule,
  },
  prepare: () => ({ normalize: (_via, body, ctx) => normalizeSecurityHubEvent(body, ctx) }),
} satisfies SourceDescriptor<z.infer<typeof SecurityHubOptionsSchema>>;
