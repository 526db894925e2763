/**
 * The pipeline configuration: one strict schema, used at `cdk synth` (bin/), at local start-up and in the
 * Lambda functions. Unknown keys are rejected; cross-references (teams, services, routes) are checked in
 * `superRefine` so a bad config fails with the path and the problem.
 */
import * as z from 'zod/mini';
import { SOURCES, SOURCE_OPTIONS_SHAPE } from '../normalize/registry';
import { checkExpression } from '../rules/expressions';
import { compileSchedule } from '../rules/maintenance';
import { channelConfigSchemas } from '../notify/channels';
import { SEVERITIES } from '../model/alert';
import { dependencyCycle, DEPENDENCY_IMPACTS } from '../status/dependencies';
import { COMPONENT_STATUSES } from '../status/model';
import { DEFAULT_POSTMORTEMS_CONFIG, PostmortemsConfigSchema, postmortemConfigProblems } from '../postmortem/config';
import { DEFAULT_DEPLOYMENT, DeploymentSchema } from './deployment.schema';
import { CloudwatchAlarmsSchema, DEFAULT_CLOUDWATCH_ALARMS } from './cloudwatch-alarms.schema';
import { DEFAULT_INSIGHTS_CONFIG, InsightsConfigSchema } from '../insights/config';
import { IntegrationsSchema, integrationConfigProblems } from '../integrations/config';
import { AccessConfigSchema, PERSON_ACCESS_SHAPE } from './access.schema';
import { DEFAULT_OPERATIONS_CONFIG, OperationsConfigSchema } from './operations.schema';

const name = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "_", "." and "-"'));

/** A CEL expression (see rules/expressions.ts); checked when the config is loaded. */
const expression = z.string().check(z.minLength(1), z.maxLength(4000));

/** `sources.*`: one section per source with options, each declared by its source (normalize/registry.ts). */
const SourcesSchema = z.strictObject(SOURCE_OPTIONS_SHAPE);

const timezone = z.string().check(
  z.refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'expected an IANA time zone such as Europe/Berlin'),
);
const localTime = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24 h)'));
/** A real calendar date and time (2024-02-30 is rejected): the fields must survive a round trip. */
function isRealLocalDateTime(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
  const sec = Number(m[6] ?? 0);
  if (sec > 59) return false;
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && t.getUTCHours() === h && t.getUTCMinutes() === mi;
}
const localDateTime = z.string().check(
  z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'expected YYYY-MM-DDTHH:MM (local time, no offset)'),
  z.refine(isRealLocalDateTime, 'not a real date and time'),
);
const isoInstant = z.string().check(z.refine((s) => /(Z|[+-]\d{2}:?\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time with offset'));

/** How to reach a person. Secrets (webhook URLs) are never in the config: they are named secrets. */
const ContactSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('email'), address: z.email() }),
  z.strictObject({ type: z.literal('sms'), number: z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number such as +14155550100')) }),
]);

const PersonSchema = z.strictObject({
  name,
  displayName: z.optional(z.string()),
  timezone: z.optional(timezone),
  contacts: z._default(z.array(ContactSchema), []),
  /** Notification channels (by name) that reach this person, in addition to their contacts. */
  channels: z._default(z.array(name), []),
  ...PERSON_ACCESS_SHAPE,
});

const TeamSchema = z.strictObject({
  name,
  description: z.optional(z.string()),
  members: z._default(z.array(name), []),
  /** Channels (by name) every page for this team also goes to (a team Slack channel, say). */
  channels: z._default(z.array(name), []),
});

/** Escalation policy by severity; `default` applies to severities not listed. */
const PolicyBySeveritySchema = z.strictObject({
  sev1: z.optional(name),
  sev2: z.optional(name),
  sev3: z.optional(name),
  default: z.optional(name),
});

/**
 * One dependency of a service: a bare name (impact `same`, no inhibition) or an object with the impact on the
 * dependent's status and, opt-in, the severity at or above which an open incident of the dependency holds the
 * dependent's pages.
 */
const DependencySchema = z.union([
  name,
  z.strictObject({
    service: name,
    impact: z._default(z.enum(DEPENDENCY_IMPACTS), 'same'),
    inhibitAtOrAbove: z.optional(z.enum(SEVERITIES)),
  }),
]);

const ServiceSchema = z.strictObject({
  name,
  team: name,
  description: z.optional(z.string()),
  runbookUrl: z.optional(z.url()),
  dependsOn: z._default(z.array(DependencySchema), []),
  /** The service's escalation policy (a name, or one per severity). Routes may override it. */
  escalationPolicy: z.optional(z.union([name, PolicyBySeveritySchema])),
});

/**
 * Notification channels. Secret values (webhook URLs, HMAC keys) are referenced by `secret`: a Secrets Manager
 * secret name in AWS; locally an entry of DATA_DIR/local-secrets.json `channels` or the env var
 * `CHANNEL_SECRET_<NAME>` (upper case, `-` as `_`). Without it, a local channel writes to the outbox only.
 * One object schema per channel type, built from the channel registry (`notify/channels/index.ts`): `name`,
 * `type`, `secret` when the type needs one, `maxPerMinute` (the type's default and maximum) and its own fields.
 */
const ChannelSchema = z.discriminatedUnion('type', channelConfigSchemas(name));

/** One rotation layer of a schedule. */
const LayerSchema = z.strictObject({
  name,
  members: z.array(name).check(z.minLength(1)),
  rotation: z.enum(['daily', 'weekly', 'custom']),
  /** Length of one shift for `custom` rotations, in hours. */
  shiftHours: z.optional(z.int().check(z.minimum(1), z.maximum(24 * 28))),
  /** When the first shift starts (local time in the schedule's time zone); handoffs repeat from here. */
  start: localDateTime,
  /** Optional daily window (local) when this layer is on call, e.g. business hours; outside it lower layers apply. */
  activeFrom: z.optional(localTime),
  activeTo: z.optional(localTime),
});

const ScheduleSchema = z.strictObject({
  name,
  timezone,
  /** Later layers override earlier ones where they are active. */
  layers: z.array(LayerSchema).check(z.minLength(1)),
});

const TargetSchema = z.union([
  z.strictObject({ person: name }),
  z.strictObject({ schedule: name }),
  z.strictObject({ team: name }),
  z.strictObject({ channel: name }),
]);

const LevelSchema = z.strictObject({
  targets: z.array(TargetSchema).check(z.minLength(1)),
  /** Minutes to wait for an acknowledgement before the next level. */
  escalateAfterMinutes: z._default(z.int().check(z.minimum(1), z.maximum(24 * 60)), 15),
  /** Page one target per repeat, in turn, instead of all at once. */
  roundRobin: z._default(z.boolean(), false),
});

const EscalationPolicySchema = z.strictObject({
  name,
  description: z.optional(z.string()),
  levels: z.array(LevelSchema).check(z.minLength(1), z.maxLength(10)),
  /** How many more times the whole policy runs when nobody acknowledges (0 = once). */
  repeat: z._default(z.int().check(z.minimum(0), z.maximum(10)), 0),
});

const RouteTargetSchema = z.strictObject({
  service: name,
  escalationPolicy: z.optional(name),
});

const RoutingSchema = z.strictObject({
  /** Where an alert goes when no routing rule matches. Mandatory. */
  default: RouteTargetSchema,
});

/** Every rule has a name (shown in decision traces) and may explain itself in one line. */
const ruleBase = { name, explanation: z.optional(z.string().check(z.maxLength(500))) };

const TaggingRuleSchema = z.strictObject({
  ...ruleBase,
  when: expression,
  /** Tags to set: literal values, or `{ expr: "<CEL string expression>" }` to read them from the alert or payload. */
  tags: z.record(
    z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'tag keys are letters, digits, "_", "." and "-"')),
    z.union([z.string(), z.strictObject({ expr: expression })]),
  ),
});

const RoutingRuleSchema = z.strictObject({
  ...ruleBase,
  when: expression,
  route: RouteTargetSchema,
});

const SuppressionRuleSchema = z.strictObject({
  ...ruleBase,
  when: expression,
  /** Shown on the suppressed incident and in the decision trace. */
  reason: z.string().check(z.minLength(1), z.maxLength(200)),
});

const DedupRuleSchema = z.strictObject({
  ...ruleBase,
  /** Which alerts the rule applies to: a source, a service (after routing), and/or a condition. */
  source: z.optional(z.enum(SOURCES)),
  service: z.optional(name),
  when: z.optional(expression),
  /** CEL string expression: the fingerprint key for these alerts (replaces the source's identity fields). */
  fingerprint: z.optional(expression),
  /** Join an open incident only if its last alert is at most this old; otherwise open a new one. */
  windowMinutes: z.optional(z.int().check(z.minimum(1), z.maximum(2880))),
});

const DelayRuleSchema = z.strictObject({
  ...ruleBase,
  when: expression,
  /** Hold the first page this many minutes; page only if the incident is still open then. */
  holdMinutes: z.int().check(z.minimum(1), z.maximum(24 * 60)),
});

const RulesSchema = z.strictObject({
  tagging: z._default(z.array(TaggingRuleSchema), []),
  routing: z._default(z.array(RoutingRuleSchema), []),
  suppression: z._default(z.array(SuppressionRuleSchema), []),
  dedup: z._default(z.array(DedupRuleSchema), []),
  delays: z._default(z.array(DelayRuleSchema), []),
});

/** A maintenance window: one-off (`start`/`end`) or recurring (`rrule` + `timezone` + `firstStart` + `durationMinutes`). */
const MaintenanceSchema = z.strictObject({
  name,
  reason: z.optional(z.string().check(z.maxLength(200))),
  /** What the window covers: services (after routing), and/or a condition. At least one. */
  services: z._default(z.array(name), []),
  when: z.optional(expression),
  start: z.optional(isoInstant),
  end: z.optional(isoInstant),
  /** RFC 5545 RRULE without DTSTART, e.g. `FREQ=WEEKLY;BYDAY=SU`. */
  rrule: z.optional(z.string().check(z.regex(/^FREQ=/, 'expected an RRULE such as FREQ=WEEKLY;BYDAY=SU'))),
  timezone: z.optional(timezone),
  /** First occurrence, local time in `timezone`. */
  firstStart: z.optional(localDateTime),
  durationMinutes: z.optional(z.int().check(z.minimum(1), z.maximum(7 * 24 * 60))),
  /** Shown on the status page (in advance, and as under_maintenance while it runs) for the services it lists. */
  public: z._default(z.boolean(), false),
});

const displayText = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

/** A status page: public (anyone) or private (behind the API bearer, shows why each component has its status). */
const StatusPageDefSchema = z.strictObject({
  name,
  title: z.optional(displayText(120)),
  visibility: z.enum(['public', 'private']),
  /** Components (by service name) shown on this page, in this order. */
  components: z.array(name).check(z.minLength(1)),
});

/** The status page section (optional: absent = no status page). */
const StatusPageSchema = z.strictObject({
  title: z._default(displayText(120), 'Status'),
  /** The component status an open incident of each severity gives its service. */
  severityStatus: z._default(
    z.strictObject({
      sev1: z._default(z.enum(COMPONENT_STATUSES), 'major_outage'),
      sev2: z._default(z.enum(COMPONENT_STATUSES), 'partial_outage'),
      sev3: z._default(z.enum(COMPONENT_STATUSES), 'degraded_performance'),
    }),
    { sev1: 'major_outage', sev2: 'partial_outage', sev3: 'degraded_performance' },
  ),
  /** Which incident statuses count (suppressed and resolved never do). */
  countStatuses: z._default(z.array(z.enum(['triggered', 'acknowledged'])).check(z.minLength(1)), ['triggered', 'acknowledged']),
  groups: z._default(z.array(z.strictObject({ name, displayName: z.optional(displayText(120)) })), []),
  components: z.array(
    z.strictObject({
      service: name,
      displayName: z.optional(displayText(120)),
      description: z.optional(z.string().check(z.maxLength(500))),
      group: z.optional(name),
    }),
  ).check(z.minLength(1)),
  pages: z.array(StatusPageDefSchema).check(z.minLength(1)),
});

const ProcessingSchema = z.strictObject({
  /** SQS receives before a message goes to the dead-letter queue. */
  maxReceiveCount: z._default(z.int().check(z.minimum(1), z.maximum(20)), 5),
  /**
   * Processor batch size and batching window (seconds). A lone alert waits the whole window before the processor
   * sees it, which dominates the modelled time to page in AWS (docs/performance.md): 10 messages and no window by
   * default. Bigger batches (above 10 need a window of at least 1 s) aggregate storms into fewer writes.
   */
  batchSize: z._default(z.int().check(z.minimum(1), z.maximum(1000)), 10),
  batchWindowSeconds: z._default(z.int().check(z.minimum(0), z.maximum(300)), 0),
  /**
   * How many alerts per incident keep their full decision trace in the alert log (one table write each; the rest
   * are counted, logged with outcome and reason, and archived raw). Higher = more detail, more write units.
   */
  alertLogLimit: z._default(z.int().check(z.minimum(0), z.maximum(1000)), 5),
  /**
   * How far (seconds) a source's time for an alert may be ahead of when the pipeline received it. A later time is
   * replaced by the receive time, and the decision trace records the skew: a clock in the year 2100 must not
   * become an incident's last-seen time, nor its newest state change.
   */
  maxFutureSkewSeconds: z._default(z.int().check(z.minimum(0), z.maximum(86_400)), 300),
});

export const PipelineConfigSchema = z
  .strictObject({
    version: z.literal(1),
    sources: z._default(SourcesSchema, z.parse(SourcesSchema, {})),
    people: z._default(z.array(PersonSchema), []),
    teams: z.array(TeamSchema).check(z.minLength(1)),
    services: z.array(ServiceSchema).check(z.minLength(1)),
    channels: z._default(z.array(ChannelSchema), []),
    schedules: z._default(z.array(ScheduleSchema), []),
    escalationPolicies: z._default(z.array(EscalationPolicySchema), []),
    routing: RoutingSchema,
    rules: z._default(RulesSchema, { tagging: [], routing: [], suppression: [], dedup: [], delays: [] }),
    maintenance: z._default(z.array(MaintenanceSchema), []),
    statusPage: z.optional(StatusPageSchema),
    processing: z._default(ProcessingSchema, { maxReceiveCount: 5, batchSize: 10, batchWindowSeconds: 0, alertLogLimit: 5, maxFutureSkewSeconds: 300 }),
    postmortems: z._default(PostmortemsConfigSchema, DEFAULT_POSTMORTEMS_CONFIG),
    deployment: z._default(DeploymentSchema, DEFAULT_DEPLOYMENT),
    cloudwatchAlarms: z._default(CloudwatchAlarmsSchema, DEFAULT_CLOUDWATCH_ALARMS),
    insights: z._default(InsightsConfigSchema, DEFAULT_INSIGHTS_CONFIG),
    /** Ingest integrations, each with its own token (integrations/config.ts; docs/deploy.md). */
    integrations: z._default(IntegrationsSchema, []),
    access: z.optional(AccessConfigSchema),
    operations: z._default(OperationsConfigSchema, DEFAULT_OPERATIONS_CONFIG),
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
      if (cfg.postmortems) for (const p of postmortemConfigProblems(cfg.postmortems)) issue(p.path, p.message);
      if (Array.isArray(cfg.integrations)) for (const p of integrationConfigProblems(cfg.integrations)) issue(p.path, p.message);
      dupes(cfg.services, 'services');
      const teams = new Set(cfg.teams.map((t) => t.name));
      const services = new Set(cfg.services.map((s) => s.name));
      cfg.services.forEach((s, i) => {
        if (!teams.has(s.team)) issue(['services', i, 'team'], `unknown team "${s.team}" (teams: ${[...teams].join(', ')})`);
        (s.dependsOn ?? []).forEach((dep, j) => {
          const d = typeof dep === 'string' ? dep : dep.service;
          const path = typeof dep === 'string' ? ['services', i, 'dependsOn', j] : ['services', i, 'dependsOn', j, 'service'];
          if (!services.has(d)) issue(path, `unknown service "${d}"`);
          if (d === s.name) issue(path, 'a service cannot depend on itself');
        });
      });
      if (cfg.routing?.default && !services.has(cfg.routing.default.service)) {
        issue(['routing', 'default', 'service'], `unknown service "${cfg.routing.default.service}"`);
      }
      checkReferences(cfg as PipelineConfig, issue);
    }),
  );

type Issue = (path: PropertyKey[], message: string) => void;

/** The defined names of the config and the two checks every part uses: a reference to a name, a CEL expression. */
interface Checker {
  issue: Issue;
  names: Record<'people' | 'teams' | 'services' | 'channels' | 'schedules' | 'policies', Set<string>>;
  ref(kind: string, names: Set<string>, value: string | undefined, path: PropertyKey[]): void;
  expr(value: string | undefined, expected: 'bool' | 'string' | 'any', path: PropertyKey[], scope?: 'condition' | 'webhook'): void;
  /** Routes: a named policy must exist. The built-in name "default" is allowed when no policies are defined yet. */
  routePolicy(value: string | undefined, path: PropertyKey[]): void;
}

/** Cross-reference and expression checks beyond the shape: every name used is defined, every CEL compiles. */
function checkReferences(cfg: PipelineConfig, issue: Issue): void {
  const c = checkerOf(cfg, issue);
  checkDuplicateNames(cfg, issue);
  checkPeopleReferences(cfg, c);
  checkEscalationTargets(cfg, c);
  c.routePolicy(cfg.routing?.default?.escalationPolicy, ['routing', 'default', 'escalationPolicy']);
  checkRules(cfg, c);
  (cfg.maintenance ?? []).forEach((m, i) => checkMaintenanceWindow(m, ['maintenance', i], c));
  (cfg.sources?.webhooks ?? []).forEach((w, i) => {
    const path = ['sources', 'webhooks', i];
    c.expr(w.alerts, 'any', [...path, 'alerts'], 'webhook');
    for (const [k, v] of Object.entries(w.mapping)) c.expr(v, 'any', [...path, 'mapping', k], 'webhook');
  });
  checkDependencies(cfg, issue);
  checkStatusPage(cfg, issue, c.names.services);
}

function checkerOf(cfg: PipelineConfig, issue: Issue): Checker {
  const set = <T extends { name: string }>(items: T[] | undefined) => new Set((items ?? []).map((i) => i.name));
  const names = {
    people: set(cfg.people), teams: set(cfg.teams), services: set(cfg.services),
    channels: set(cfg.channels), schedules: set(cfg.schedules), policies: set(cfg.escalationPolicies),
  };
  const list = (s: Set<string>) => (s.size ? [...s].join(', ') : 'none defined');
  const ref: Checker['ref'] = (kind, known, value, path) => {
    if (value !== undefined && !known.has(value)) issue(path, `unknown ${kind} "${value}" (${kind}s: ${list(known)})`);
  };
  return {
    issue,
    names,
    ref,
    expr(value, expected, path, scope = 'condition') {
      if (value === undefined) return;
      const problem = checkExpression(value, expected, scope);
      if (problem) issue(path, `invalid expression: ${problem}`);
    },
    routePolicy(value, path) {
      if (value === undefined || (value === 'default' && names.policies.size === 0)) return;
      ref('escalation policy', names.policies, value, path);
    },
  };
}

function checkDuplicateNames(cfg: PipelineConfig, issue: Issue): void {
  const dupes = (items: Array<{ name: string }> | undefined, path: string) => {
    const seen = new Set<string>();
    (items ?? []).forEach((item, i) => {
      if (seen.has(item.name)) issue([path, i, 'name'], `duplicate name "${item.name}"`);
      seen.add(item.name);
    });
  };
  for (const key of ['people', 'channels', 'schedules', 'escalationPolicies', 'maintenance'] as const) dupes(cfg[key], key);
  for (const key of ['tagging', 'routing', 'suppression', 'dedup', 'delays'] as const) dupes(cfg.rules?.[key], `rules.${key}`);
  dupes(cfg.sources?.webhooks, 'sources.webhooks');
}

/** People's and teams' channels, team members, services' policies, schedule layers. */
function checkPeopleReferences(cfg: PipelineConfig, { ref, issue, names }: Checker): void {
  const { people, channels, policies } = names;
  (cfg.people ?? []).forEach((p, i) => p.channels?.forEach((c, j) => ref('channel', channels, c, ['people', i, 'channels', j])));
  cfg.teams.forEach((t, i) => {
    t.members?.forEach((m, j) => ref('person', people, m, ['teams', i, 'members', j]));
    t.channels?.forEach((c, j) => ref('channel', channels, c, ['teams', i, 'channels', j]));
  });
  cfg.services.forEach((s, i) => {
    const p = s.escalationPolicy;
    if (typeof p === 'string') ref('escalation policy', policies, p, ['services', i, 'escalationPolicy']);
    else if (p) for (const [k, v] of Object.entries(p)) ref('escalation policy', policies, v, ['services', i, 'escalationPolicy', k]);
  });
  (cfg.schedules ?? []).forEach((s, i) =>
    s.layers.forEach((l, j) => {
      l.members.forEach((m, k) => ref('person', people, m, ['schedules', i, 'layers', j, 'members', k]));
      if (l.rotation === 'custom' && l.shiftHours === undefined) issue(['schedules', i, 'layers', j, 'shiftHours'], 'required for a custom rotation');
      if ((l.activeFrom === undefined) !== (l.activeTo === undefined)) issue(['schedules', i, 'layers', j, 'activeTo'], 'activeFrom and activeTo go together');
    }),
  );
}

function checkEscalationTargets(cfg: PipelineConfig, { ref, issue, names }: Checker): void {
  (cfg.escalationPolicies ?? []).forEach((p, i) =>
    p.levels.forEach((l, j) =>
      l.targets.forEach((t, k) => {
        const path = ['escalationPolicies', i, 'levels', j, 'targets', k];
        if ('person' in t) ref('person', names.people, t.person, [...path, 'person']);
        if ('schedule' in t) ref('schedule', names.schedules, t.schedule, [...path, 'schedule']);
        if ('team' in t) ref('team', names.teams, t.team, [...path, 'team']);
        if ('channel' in t) {
          ref('channel', names.channels, t.channel, [...path, 'channel']);
          const type = cfg.channels?.find((c) => c.name === t.channel)?.type;
          if (type === 'email' || type === 'sms') issue([...path, 'channel'], `channel "${t.channel}" is an ${type} channel: page people (their contacts), not the channel`);
        }
      }),
    ),
  );
}

function checkRules(cfg: PipelineConfig, { ref, issue, expr, routePolicy, names }: Checker): void {
  const rules = cfg.rules;
  rules?.tagging.forEach((r, i) => {
    expr(r.when, 'bool', ['rules', 'tagging', i, 'when']);
    for (const [k, v] of Object.entries(r.tags)) if (typeof v !== 'string') expr(v.expr, 'any', ['rules', 'tagging', i, 'tags', k, 'expr']);
  });
  rules?.routing.forEach((r, i) => {
    expr(r.when, 'bool', ['rules', 'routing', i, 'when']);
    ref('service', names.services, r.route.service, ['rules', 'routing', i, 'route', 'service']);
    routePolicy(r.route.escalationPolicy, ['rules', 'routing', i, 'route', 'escalationPolicy']);
  });
  rules?.suppression.forEach((r, i) => expr(r.when, 'bool', ['rules', 'suppression', i, 'when']));
  rules?.delays.forEach((r, i) => expr(r.when, 'bool', ['rules', 'delays', i, 'when']));
  rules?.dedup.forEach((r, i) => {
    expr(r.when, 'bool', ['rules', 'dedup', i, 'when']);
    expr(r.fingerprint, 'any', ['rules', 'dedup', i, 'fingerprint']);
    ref('service', names.services, r.service, ['rules', 'dedup', i, 'service']);
    if (r.fingerprint === undefined && r.windowMinutes === undefined) issue(['rules', 'dedup', i], 'set fingerprint, windowMinutes or both');
  });
}

function checkMaintenanceWindow(m: NonNullable<PipelineConfig['maintenance']>[number], path: PropertyKey[], { ref, issue, expr, names }: Checker): void {
  m.services.forEach((s, j) => ref('service', names.services, s, [...path, 'services', j]));
  expr(m.when, 'bool', [...path, 'when']);
  if (m.services.length === 0 && m.when === undefined) issue([...path, 'services'], 'a window covers services, a condition (when) or both');
  const oneOff = m.start !== undefined || m.end !== undefined;
  const recurring = m.rrule !== undefined || m.firstStart !== undefined || m.durationMinutes !== undefined || m.timezone !== undefined;
  if (oneOff && recurring) issue(path, 'use start/end (one-off) or rrule/timezone/firstStart/durationMinutes (recurring), not both');
  else if (oneOff) {
    if (m.start === undefined) issue([...path, 'start'], 'required with end');
    if (m.end === undefined) issue([...path, 'end'], 'a maintenance window needs an end');
    if (m.start && m.end && Date.parse(m.end) <= Date.parse(m.start)) issue([...path, 'end'], 'must be after start');
  } else if (recurring) {
    const missing = (['rrule', 'timezone', 'firstStart', 'durationMinutes'] as const).filter((k) => m[k] === undefined);
    for (const k of missing) issue([...path, k], 'required for a recurring window');
    if (missing.length === 0) {
      // Compile the recurrence now, so a rule rrule cannot parse fails the load (and cdk synth), not the processor.
      try {
        compileSchedule({ name: m.name, services: m.services, when: m.when ?? null, rrule: m.rrule, timezone: m.timezone, firstStart: m.firstStart, durationMinutes: m.durationMinutes });
      } catch (err) {
        issue([...path, 'rrule'], `not a usable recurrence: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
    }
  } else issue(path, 'set start and end, or rrule, timezone, firstStart and durationMinutes');
}

/** Dependencies: duplicates and cycles (a cycle would make status propagation and inhibition loop). */
function checkDependencies(cfg: PipelineConfig, issue: Issue): void {
  cfg.services.forEach((s, i) => {
    const seen = new Set<string>();
    s.dependsOn.forEach((dep, j) => {
      const d = typeof dep === 'string' ? dep : dep.service;
      if (seen.has(d)) issue(['services', i, 'dependsOn', j], `duplicate dependency "${d}"`);
      seen.add(d);
    });
  });
  const cycle = dependencyCycle(cfg);
  if (cycle) {
    const at = cfg.services.findIndex((s) => s.name === cycle[0]);
    issue(['services', at, 'dependsOn'], `dependency cycle: ${cycle.join(' -> ')}`);
  }
}

/** The status page section: every service, group and component it names exists, once. */
function checkStatusPage(cfg: PipelineConfig, issue: Issue, services: Set<string>): void {
  const sp = cfg.statusPage;
  if (!sp) return;
  const list = (s: Set<string>) => (s.size ? [...s].join(', ') : 'none defined');
  const groups = new Set<string>();
  sp.groups.forEach((g, i) => {
    if (groups.has(g.name)) issue(['statusPage', 'groups', i, 'name'], `duplicate group "${g.name}"`);
    groups.add(g.name);
  });
  const components = new Set<string>();
  sp.components.forEach((c, i) => {
    const path = ['statusPage', 'components', i];
    if (!services.has(c.service)) issue([...path, 'service'], `unknown service "${c.service}" (services: ${list(services)})`);
    if (components.has(c.service)) issue([...path, 'service'], `duplicate component "${c.service}"`);
    components.add(c.service);
    if (c.group !== undefined && !groups.has(c.group)) issue([...path, 'group'], `unknown group "${c.group}" (groups: ${list(groups)})`);
  });
  const pages = new Set<string>();
  sp.pages.forEach((p, i) => {
    if (pages.has(p.name)) issue(['statusPage', 'pages', i, 'name'], `duplicate page "${p.name}"`);
    pages.add(p.name);
    const onPage = new Set<string>();
    p.components.forEach((c, j) => {
      const path = ['statusPage', 'pages', i, 'components', j];
      if (!services.has(c)) issue(path, `unknown service "${c}" (services: ${list(services)})`);
      else if (!components.has(c)) issue(path, `"${c}" is not a declared component (statusPage.components: ${list(components)})`);
      if (onPage.has(c)) issue(path, `duplicate component "${c}" on page "${p.name}"`);
      onPage.add(c);
    });
  });
  if (!sp.pages.some((p) => p.visibility === 'public')) issue(['statusPage', 'pages'], 'declare one page with visibility: public');
  if (sp.pages.filter((p) => p.visibility === 'public').length > 1) issue(['statusPage', 'pages'], 'at most one public page (it is the one served at /status)');
}

export type PipelineConfig = z.infer<typeof PipelineConfigSchema>;
export type PipelineConfigInput = z.input<typeof PipelineConfigSchema>;
