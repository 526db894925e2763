/**
 * The pipeline configuration: one strict schema, used at `cdk synth` (bin/), at local start-up and in the
 * Lambda functions. Unknown keys are rejected; cross-references (teams, services, routes) are checked in
 * `superRefine` so a bad config fails with the path and the problem.
 */
import * as z from 'zod/mini';
import { SEVERITIES } from '../model/alert';

const name = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "_", "." and "-"'));
const severity = z.enum(SEVERITIES);

const ThreatStackSourceSchema = z.strictObject({
  /** Link to an alert in the Threat Stack / F5 AIP console; `{id}` is replaced by the alert id. */
  alertUrlTemplate: z._default(z.string().check(z.includes('{id}')), 'https://app.threatstack.com/alerts/{id}'),
  /** When non-empty, only these source IPs may post (Threat Stack's documented senders). */
  allowedSourceIps: z._default(z.array(z.string()), []),
});

const CloudWatchSourceSchema = z.strictObject({
  /** Severity of an ALARM that no rule classifies (formats.md §7). */
  defaultSeverity: z._default(severity, 'sev2'),
  /** SNS topics allowed to post to the HTTPS endpoint. The stack's own alarm topic is always allowed. */
  allowedTopicArns: z._default(z.array(z.string().check(z.regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/, 'expected an SNS topic ARN'))), []),
  /** Create an EventBridge rule that takes every "CloudWatch Alarm State Change" in the account. */
  eventBridgeRule: z._default(z.boolean(), false),
});

const AlertmanagerSourceSchema = z.strictObject({
  severityMap: z._default(z.record(z.string(), severity), {
    critical: 'sev1', page: 'sev1', error: 'sev2', warning: 'sev2', info: 'sev3', none: 'sev3',
  }),
  defaultSeverity: z._default(severity, 'sev2'),
});

const SourcesSchema = z.strictObject({
  threatstack: z._default(ThreatStackSourceSchema, { alertUrlTemplate: 'https://app.threatstack.com/alerts/{id}', allowedSourceIps: [] }),
  cloudwatch: z._default(CloudWatchSourceSchema, { defaultSeverity: 'sev2', allowedTopicArns: [], eventBridgeRule: false }),
  alertmanager: z._default(AlertmanagerSourceSchema, {
    severityMap: { critical: 'sev1', page: 'sev1', error: 'sev2', warning: 'sev2', info: 'sev3', none: 'sev3' },
    defaultSeverity: 'sev2',
  }),
});

const TeamSchema = z.strictObject({
  name,
  description: z.optional(z.string()),
});

const ServiceSchema = z.strictObject({
  name,
  team: name,
  description: z.optional(z.string()),
  runbookUrl: z.optional(z.url()),
  dependsOn: z._default(z.array(name), []),
});

const RouteTargetSchema = z.strictObject({
  service: name,
  escalationPolicy: z.optional(name),
});

const RoutingSchema = z.strictObject({
  /** Where an alert goes when no routing rule matches. Mandatory. */
  default: RouteTargetSchema,
});

const ProcessingSchema = z.strictObject({
  /** SQS receives before a message goes to the dead-letter queue. */
  maxReceiveCount: z._default(z.int().check(z.minimum(1), z.maximum(20)), 5),
  /** Processor batch size and batching window (seconds): bigger batches aggregate storms into fewer writes. */
  batchSize: z._default(z.int().check(z.minimum(1), z.maximum(1000)), 100),
  batchWindowSeconds: z._default(z.int().check(z.minimum(0), z.maximum(300)), 1),
});

export const PipelineConfigSchema = z
  .strictObject({
    version: z.literal(1),
    sources: z._default(SourcesSchema, z.parse(SourcesSchema, {})),
    teams: z.array(TeamSchema).check(z.minLength(1)),
    services: z.array(ServiceSchema).check(z.minLength(1)),
    routing: RoutingSchema,
    processing: z._default(ProcessingSchema, { maxReceiveCount: 5, batchSize: 100, batchWindowSeconds: 1 }),
  })
  .check(
    z.superRefine((cfg, ctx) => {
      const issue = (path: PropertyKey[], message: string) => ctx.issues.push({ code: 'custom', message, path, input: cfg });
      const dupes = (items: Array<{ name: string }>, path: string) => {
        const seen = new Set<string>();
        items.forEach((item, i) => {
          if (seen.has(item.name)) issue([path, i, 'name'], `duplicate name "${item.name}"`);
          seen.add(item.name);
        });
      };
      if (!Array.isArray(cfg.teams) || !Array.isArray(cfg.services)) return;
      dupes(cfg.teams, 'teams');
      dupes(cfg.services, 'services');
      const teams = new Set(cfg.teams.map((t) => t.name));
      const services = new Set(cfg.services.map((s) => s.name));
      cfg.services.forEach((s, i) => {
        if (!teams.has(s.team)) issue(['services', i, 'team'], `unknown team "${s.team}" (teams: ${[...teams].join(', ')})`);
        (s.dependsOn ?? []).forEach((d, j) => {
          if (!services.has(d)) issue(['services', i, 'dependsOn', j], `unknown service "${d}"`);
          if (d === s.name) issue(['services', i, 'dependsOn', j], 'a service cannot depend on itself');
        });
      });
      if (cfg.routing?.default && !services.has(cfg.routing.default.service)) {
        issue(['routing', 'default', 'service'], `unknown service "${cfg.routing.default.service}"`);
      }
    }),
  );

export type PipelineConfig = z.infer<typeof PipelineConfigSchema>;
export type PipelineConfigInput = z.input<typeof PipelineConfigSchema>;
