/**
 * Stage "normalize", source CloudWatch alarms (docs/formats.md §2, §3), over every route a transition can take:
 * - SNS: HTTPS subscription, SNS -> Lambda record, SNS -> SQS (raw delivery off: the body is the envelope; on: the
 *   body is the alarm JSON), all carrying the alarm JSON as a string in `Message`;
 * - EventBridge "CloudWatch Alarm State Change";
 * - an alarm invoking Lambda directly (`{source, alarmArn, accountId, time, region, alarmData}`).
 * Three alarm kinds (single-metric, metric-math, composite) are told apart by shape. Every route yields the same
 * fingerprint `cw:<AlarmArn>` and the same delivery key (the transition: ARN, state change time, new state), so
 * an SNS and an EventBridge delivery of one transition merge.
 * Identity field: AlarmArn. Resolve: new state OK. INSUFFICIENT_DATA is `info` (timeline only, never pages).
 * Signature verification of HTTPS envelopes happens before this module, in the adapter.
 */
import * as z from 'zod/mini';
import { formatPath } from '../errors';
import { SEVERITIES, type AlertAction, type NormalizedAlert } from '../model/alert';
import { clip, invalidField, parseWith, timestampString, type NormalizeContext } from './shared';
import type { SourceDescriptor } from './source';
import { parseJsonText, parseSnsEnvelope, parseSnsHttpBody, parseSnsLambdaEvent, sqsBodiesOf, type SnsEnvelope } from './sns-envelope';

/** Identity fields that go into the CloudWatch fingerprint, in order. */
export const CLOUDWATCH_IDENTITY_FIELDS = ['AlarmArn'] as const;

export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

export type AlarmKind = 'metric' | 'metric-math' | 'composite';

const ACTION: Record<AlarmState, AlertAction> = { ALARM: 'trigger', OK: 'resolve', INSUFFICIENT_DATA: 'info' };

/** `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`; names may contain colons. */
const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/;

/** A timestamp normalized to ISO UTC that also fits the 4-digit-year ISO form (no `+010000-...` years). */
const isoTime = timestampString.check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'timestamp out of range'));

const nonEmpty = z.string().check(z.minLength(1));
const optionalString = z.optional(z.nullable(z.string()));
const optionalNumber = z.optional(z.nullable(z.number()));
const alarmArn = z.string().check(z.regex(ALARM_ARN, 'expected a CloudWatch alarm ARN'));
const alarmState = z.enum(ALARM_STATES);

// ---------------------------------------------------------------------------------------------------------------
// SNS message (docs/formats.md §2.3)
// ---------------------------------------------------------------------------------------------------------------

/** `[{name, value}]`, lower-case keys. */
const DimensionListSchema = z.array(z.looseObject({ name: z.string(), value: z.string() }));

/** Threshold settings shared by single-metric and metric-math triggers; none is used, so none is required. */
const triggerSettingsShape = {
  Period: optionalNumber,
  EvaluationPeriods: optionalNumber,
  DatapointsToAlarm: optionalNumber,
  ComparisonOperator: optionalString,
  Threshold: optionalNumber,
  ThresholdMetricId: optionalString,
  /** Seen as `missing` and as `"- TreatMissingData: missing"`: not enum-checked. */
  TreatMissingData: optionalString,
  EvaluateLowSampleCountPercentile: optionalString,
};

export const MetricTriggerSchema = z.looseObject({
  MetricName: nonEmpty,
  Namespace: nonEmpty,
  StatisticType: optionalString,
  Statistic: optionalString,
  ExtendedStatistic: optionalString,
  Unit: optionalString,
  Dimensions: z.optional(z.nullable(DimensionListSchema)),
  ...triggerSettingsShape,
});

export const MetricDataQuerySchema = z.looseObject({
  Id: nonEmpty,
  Expression: optionalString,
  Label: optionalString,
  ReturnData: z.optional(z.nullable(z.boolean())),
  Period: optionalNumber,
  MetricStat: z.optional(
    z.nullable(
      z.looseObject({
        Metric: z.looseObject({
          Namespace: nonEmpty,
          MetricName: nonEmpty,
          Dimensions: z.optional(z.nullable(DimensionListSchema)),
        }),
        Period: optionalNumber,
        Stat: optionalString,
        Unit: optionalString,
      }),
    ),
  ),
});

export const MetricMathTriggerSchema = z.looseObject({
  Metrics: z.array(MetricDataQuerySchema).check(z.minLength(1)),
  ...triggerSettingsShape,
});

const alarmMessageShape = {
  AlarmName: nonEmpty,
  AlarmDescription: optionalString,
  AWSAccountId: nonEmpty,
  AlarmConfigurationUpdatedTimestamp: optionalString,
  NewStateValue: alarmState,
  NewStateReason: z.string(),
  StateChangeTime: isoTime,
  /** A display name (`EU (Ireland)`), not a code: the code comes from the ARN. */
  Region: optionalString,
  AlarmArn: alarmArn,
  OldStateValue: optionalString,
  OKActions: z.optional(z.nullable(z.array(z.string()))),
  AlarmActions: z.optional(z.nullable(z.array(z.string()))),
  InsufficientDataActions: z.optional(z.nullable(z.array(z.string()))),
};

export const MetricAlarmMessageSchema = z.looseObject({ ...alarmMessageShape, Trigger: MetricTriggerSchema });
export const MetricMathAlarmMessageSchema = z.looseObject({ ...alarmMessageShape, Trigger: MetricMathTriggerSchema });
export const CompositeAlarmMessageSchema = z.looseObject({
  ...alarmMessageShape,
  Trigger: z.optional(z.null()),
  AlarmRule: nonEmpty,
  TriggeringChildren: z.optional(
    z.nullable(
      z.array(
        z.looseObject({
          Arn: z.string(),
          State: z.optional(z.nullable(z.looseObject({ Value: optionalString, Timestamp: optionalString }))),
        }),
      ),
    ),
  ),
});

/** The inner CloudWatch alarm message, discriminated by shape. */
export type CloudWatchAlarmMessage =
  | { kind: 'metric'; message: z.infer<typeof MetricAlarmMessageSchema> }
  | { kind: 'metric-math'; message: z.infer<typeof MetricMathAlarmMessageSchema> }
  | { kind: 'composite'; message: z.infer<typeof CompositeAlarmMessageSchema> };

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Parses the inner alarm JSON. The shape decides the kind: no `Trigger` -> composite (needs `AlarmRule`),
 * `Trigger.Metrics` -> metric-math, otherwise single-metric; then that kind's schema names any bad field.
 */
export function parseCloudWatchAlarmMessage(message: unknown, pathPrefix: readonly PropertyKey[] = []): CloudWatchAlarmMessage {
  if (!isRecord(message)) throw invalidField(formatPath(pathPrefix), 'expected a CloudWatch alarm message (JSON object)');
  const trigger = message.Trigger;
  if (trigger === undefined || trigger === null) {
    if (message.AlarmRule === undefined) {
      throw invalidField(formatPath([...pathPrefix, 'Trigger']), 'expected Trigger (metric alarm) or AlarmRule (composite alarm)');
    }
    return { kind: 'composite', message: parseWith(CompositeAlarmMessageSchema, message, pathPrefix) };
  }
  if (isRecord(trigger) && 'Metrics' in trigger) {
    return { kind: 'metric-math', message: parseWith(MetricMathAlarmMessageSchema, message, pathPrefix) };
  }
  return { kind: 'metric', message: parseWith(MetricAlarmMessageSchema, message, pathPrefix) };
}

// ---------------------------------------------------------------------------------------------------------------
// Building the alert, shared by every route
// ---------------------------------------------------------------------------------------------------------------

/** What every route knows about one transition, in one vocabulary. */
interface Transition {
  alarmArn: string;
  alarmName: string;
  account: string;
  regionCode: string;
  state: AlarmState;
  reason: string;
  /** ISO UTC. */
  stateChangeTime: string;
  kind: AlarmKind;
  namespace: string | null;
  metricName: string | null;
  dimensions: Array<[name: string, value: string]>;
  extraLabels: Record<string, string>;
  raw: unknown;
}

/** The transition identity: the same for every route that delivers the same state change. */
export function cloudWatchDeliveryKey(alarmArn: string, stateChangeTimeIso: string, state: AlarmState): string {
  return `cw:${alarmArn}|${stateChangeTimeIso}|${state}`;
}

/** CloudWatch console link to one alarm. */
export function cloudWatchAlarmUrl(regionCode: string, alarmName: string): string {
  return `https://${regionCode}.console.aws.amazon.com/cloudwatch/home?region=${regionCode}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

const ALARM_URL = /^https:\/\/([a-z0-9-]+)\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=\1#alarmsV2:alarm\/(.+)$/;

/** The alarm (Region and name) of a link `cloudWatchAlarmUrl` made; null for anything else. */
export function alarmOfConsoleUrl(url: string): { region: string; name: string } | null {
  const m = ALARM_URL.exec(url);
  if (!m) return null;
  try {
    return { region: m[1] as string, name: decodeURIComponent(m[2] as string) };
  } catch {
    return null;
  }
}

function buildAlert(t: Transition, ctx: NormalizeContext): NormalizedAlert {
  const labels: Record<string, string> = {
    account: t.account,
    region: t.regionCode,
    alarm_name: t.alarmName,
    alarm_kind: t.kind,
  };
  if (t.namespace) labels.namespace = t.namespace;
  if (t.metricName) labels.metric_name = t.metricName;
  for (const [name, value] of t.dimensions) labels[`dimension_${name}`] = value;
  Object.assign(labels, t.extraLabels);
  return {
    source: 'cloudwatch',
    deliveryKey: cloudWatchDeliveryKey(t.alarmArn, t.stateChangeTime, t.state),
    identity: [['AlarmArn', t.alarmArn]],
    fingerprintKey: `cw:${t.alarmArn}`,
    action: ACTION[t.state],
    title: clip(`${t.state}: ${t.alarmName}`, 500),
    description: clip(t.reason, 2000),
    severity: ctx.options.cloudwatchDefaultSeverity,
    sourceSeverity: t.state,
    occurredAt: t.stateChangeTime,
    alertUrl: cloudWatchAlarmUrl(t.regionCode, t.alarmName),
    resource: t.dimensions[0]?.[1] ?? t.alarmName,
    labels,
    raw: t.raw,
  };
}

/**
 * `alarm_kind` from the metric queries, the same rule for SNS `Trigger.Metrics` and EventBridge
 * `configuration.metrics`: one plain metric is `metric`, anything with an expression or several queries is
 * `metric-math`. So both routes label one alarm alike.
 */
function kindOfQueries(queries: ReadonlyArray<{ expression: string | null | undefined; hasMetric: boolean }>): AlarmKind {
  return queries.length === 1 && queries[0]?.hasMetric && !queries[0].expression ? 'metric' : 'metric-math';
}

function labelValue(value: string | null | undefined): string | null {
  return value ? value : null;
}

/** Meta of the route that delivered an SNS-style alarm message. */
export interface CloudWatchMessageMeta {
  /** Ingest route (`sns-https`, `sns-lambda`, `sns-sqs`, `sns-sqs-raw`). */
  via: string;
  snsMessageId?: string;
  topicArn?: string;
}

/** Normalizes the inner CloudWatch alarm JSON (docs/formats.md §2.3), whatever carried it. */
export function normalizeCloudWatchAlarmMessage(message: unknown, meta: CloudWatchMessageMeta, ctx: NormalizeContext): NormalizedAlert {
  return normalizeAlarmMessageAt(message, meta, ctx, []);
}

function normalizeAlarmMessageAt(
  message: unknown,
  meta: CloudWatchMessageMeta,
  ctx: NormalizeContext,
  pathPrefix: readonly PropertyKey[],
): NormalizedAlert {
  const parsed = parseCloudWatchAlarmMessage(message, pathPrefix);
  const m = parsed.message;
  const arn = ALARM_ARN.exec(m.AlarmArn);
  // The schema already checked the pattern; this keeps the compiler and a future pattern change honest.
  if (!arn?.[1]) throw invalidField(formatPath([...pathPrefix, 'AlarmArn']), 'expected a CloudWatch alarm ARN');

  let kind: AlarmKind = 'composite';
  let namespace: string | null = null;
  let metricName: string | null = null;
  let dimensions: Array<[string, string]> = [];
  if (parsed.kind === 'metric') {
    const t = parsed.message.Trigger;
    kind = 'metric';
    namespace = t.Namespace;
    metricName = t.MetricName;
    dimensions = (t.Dimensions ?? []).map((d) => [d.name, d.value]);
  } else if (parsed.kind === 'metric-math') {
    const queries = parsed.message.Trigger.Metrics;
    kind = kindOfQueries(queries.map((q) => ({ expression: q.Expression, hasMetric: Boolean(q.MetricStat) })));
    const first = queries.find((q) => q.MetricStat)?.MetricStat?.Metric;
    if (first) {
      namespace = first.Namespace;
      metricName = first.MetricName;
      dimensions = (first.Dimensions ?? []).map((d) => [d.name, d.value]);
    }
  }

  const extraLabels: Record<string, string> = { via: meta.via };
  if (meta.topicArn) extraLabels.sns_topic_arn = meta.topicArn;
  if (meta.snsMessageId) extraLabels.sns_message_id = meta.snsMessageId;

  return buildAlert(
    {
      alarmArn: m.AlarmArn,
      alarmName: m.AlarmName,
      account: m.AWSAccountId,
      regionCode: arn[1],
      state: m.NewStateValue,
      reason: m.NewStateReason,
      stateChangeTime: m.StateChangeTime,
      kind,
      namespace,
      metricName,
      dimensions,
      extraLabels,
      raw: message,
    },
    ctx,
  );
}

/**
 * Normalizes an SNS notification carrying a CloudWatch alarm. `Message` is a JSON string: plain text from another
 * publisher is an InvalidPayloadError on `Message`; confirmation types are rejected (the adapter handles them
 * before normalization).
 */
export function normalizeSnsNotification(envelope: SnsEnvelope, via: string, ctx: NormalizeContext): NormalizedAlert {
  return normalizeSnsNotificationAt(envelope, via, ctx, []);
}

function normalizeSnsNotificationAt(
  envelope: SnsEnvelope,
  via: string,
  ctx: NormalizeContext,
  pathPrefix: readonly PropertyKey[],
): NormalizedAlert {
  if (envelope.type !== 'Notification') {
    throw invalidField(
      formatPath([...pathPrefix, 'Type']),
      `expected Notification, got ${envelope.type} (confirmations are handled by the SNS adapter, not normalized)`,
    );
  }
  const message = parseJsonText(envelope.message, [...pathPrefix, 'Message'], 'a CloudWatch alarm JSON document');
  return normalizeAlarmMessageAt(message, { via, snsMessageId: envelope.messageId, topicArn: envelope.topicArn }, ctx, [
    ...pathPrefix,
    'Message',
  ]);
}

/** SNS -> Lambda: one alert per record (SNS delivers one record per invocation). The whole event fails together. */
export function normalizeSnsLambdaEvent(event: unknown, ctx: NormalizeContext): NormalizedAlert[] {
  return parseSnsLambdaEvent(event).map((envelope, i) => normalizeSnsNotificationAt(envelope, 'sns-lambda', ctx, ['Records', i, 'Sns']));
}

/**
 * One SNS -> SQS record body. Raw delivery off: the body is the HTTPS-cased envelope as a string (three parses in
 * all). Raw delivery on: the body is the alarm JSON itself and the SNS metadata is gone (via `sns-sqs-raw`).
 */
export function normalizeSqsMessageBody(body: string, ctx: NormalizeContext, pathPrefix: readonly PropertyKey[] = []): NormalizedAlert {
  const parsed = parseJsonText(body, pathPrefix, 'an SNS envelope or a CloudWatch alarm JSON document');
  if (isRecord(parsed) && 'Type' in parsed && 'Message' in parsed) {
    return normalizeSnsNotificationAt(parseSnsEnvelope(parsed, pathPrefix), 'sns-sqs', ctx, pathPrefix);
  }
  return normalizeAlarmMessageAt(parsed, { via: 'sns-sqs-raw' }, ctx, pathPrefix);
}

/** A whole SQS event of SNS-delivered alarms. Any bad record rejects the event (handlers may go per record). */
export function normalizeSqsEvent(event: unknown, ctx: NormalizeContext): NormalizedAlert[] {
  return sqsBodiesOf(event).map((body, i) => normalizeSqsMessageBody(body, ctx, ['Records', i, 'body']));
}

// ---------------------------------------------------------------------------------------------------------------
// EventBridge "CloudWatch Alarm State Change" and the direct alarm -> Lambda shape (docs/formats.md §3)
// ---------------------------------------------------------------------------------------------------------------

export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';

const AlarmStateSchema = z.looseObject({
  value: alarmState,
  reason: z.string(),
  /** A JSON document as a string; decoded leniently. */
  reasonData: optionalString,
  timestamp: isoTime,
  actionsSuppressedBy: optionalString,
  actionsSuppressedReason: optionalString,
});

const PreviousStateSchema = z.looseObject({
  value: optionalString,
  reason: optionalString,
  reasonData: optionalString,
  timestamp: optionalString,
});

const MetricQuerySchema = z.looseObject({
  id: nonEmpty,
  expression: optionalString,
  label: optionalString,
  returnData: z.optional(z.nullable(z.boolean())),
  period: optionalNumber,
  metricStat: z.optional(
    z.nullable(
      z.looseObject({
        metric: z.looseObject({
          namespace: nonEmpty,
          name: nonEmpty,
          /** A map here, a `{name, value}` list in SNS. */
          dimensions: z.optional(z.nullable(z.record(z.string(), z.string()))),
        }),
        period: optionalNumber,
        stat: optionalString,
        unit: optionalString,
      }),
    ),
  ),
});

export const MetricAlarmConfigurationSchema = z.looseObject({
  description: optionalString,
  metrics: z.array(MetricQuerySchema).check(z.minLength(1)),
});

export const CompositeAlarmConfigurationSchema = z.looseObject({
  description: optionalString,
  alarmRule: nonEmpty,
  actionsSuppressor: optionalString,
  actionsSuppressorWaitPeriod: optionalNumber,
  actionsSuppressorExtensionPeriod: optionalNumber,
});

/** `detail` of the EventBridge event and `alarmData` of the direct Lambda invocation: the same object. */
const AlarmDataSchema = z.looseObject({
  alarmName: nonEmpty,
  state: AlarmStateSchema,
  previousState: z.optional(z.nullable(PreviousStateSchema)),
  configuration: z.looseObject({}),
});

export const EventBridgeAlarmEventSchema = z.looseObject({
  version: optionalString,
  id: nonEmpty,
  'detail-type': z.literal(ALARM_STATE_CHANGE),
  source: z.literal('aws.cloudwatch'),
  account: nonEmpty,
  time: optionalString,
  region: nonEmpty,
  resources: z.array(z.string()).check(z.minLength(1)),
  detail: AlarmDataSchema,
});

export const AlarmLambdaEventSchema = z.looseObject({
  source: z.literal('aws.cloudwatch'),
  alarmArn: alarmArn,
  accountId: nonEmpty,
  time: optionalString,
  region: nonEmpty,
  alarmData: AlarmDataSchema,
});

/** Decodes `reasonData` when it is JSON; keeps the string otherwise (it is informational only). */
function decodeReasonData(state: unknown): unknown {
  if (!isRecord(state) || typeof state.reasonData !== 'string') return state;
  try {
    return { ...state, reasonData: JSON.parse(state.reasonData) as unknown };
  } catch {
    return state;
  }
}

/** The alarm data with `state.reasonData` decoded: the input object itself is never modified. */
function withDecodedReasonData(alarmData: unknown): unknown {
  if (!isRecord(alarmData)) return alarmData;
  const out: Record<string, unknown> = { ...alarmData, state: decodeReasonData(alarmData.state) };
  if (alarmData.previousState !== undefined) out.previousState = decodeReasonData(alarmData.previousState);
  return out;
}

function alarmDataTransition(
  data: z.infer<typeof AlarmDataSchema>,
  common: { alarmArn: string; account: string; regionCode: string; extraLabels: Record<string, string>; raw: unknown },
  pathPrefix: readonly PropertyKey[],
): Transition {
  const configPath = [...pathPrefix, 'configuration'];
  let kind: AlarmKind;
  let namespace: string | null = null;
  let metricName: string | null = null;
  let dimensions: Array<[string, string]> = [];
  if ('alarmRule' in data.configuration) {
    parseWith(CompositeAlarmConfigurationSchema, data.configuration, configPath);
    kind = 'composite';
  } else {
    const config = parseWith(MetricAlarmConfigurationSchema, data.configuration, configPath);
    kind = kindOfQueries(config.metrics.map((q) => ({ expression: q.expression, hasMetric: Boolean(q.metricStat) })));
    const first = config.metrics.find((q) => q.metricStat)?.metricStat?.metric;
    if (first) {
      namespace = first.namespace;
      metricName = first.name;
      dimensions = Object.entries(first.dimensions ?? {});
    }
  }
  const extraLabels = { ...common.extraLabels };
  const suppressedBy = labelValue(data.state.actionsSuppressedBy);
  if (suppressedBy) extraLabels.actions_suppressed_by = suppressedBy;
  return {
    alarmArn: common.alarmArn,
    alarmName: data.alarmName,
    account: common.account,
    regionCode: common.regionCode,
    state: data.state.value,
    reason: data.state.reason,
    stateChangeTime: data.state.timestamp,
    kind,
    namespace,
    metricName,
    dimensions,
    extraLabels,
    raw: common.raw,
  };
}

/**
 * Normalizes an EventBridge "CloudWatch Alarm State Change" event. Other detail-types (notably
 * "CloudWatch Alarm Configuration Change") are an InvalidPayloadError on `detail-type`: the rule pattern should not
 * have let them through. `raw` is the event with `detail.state.reasonData` decoded when it is JSON.
 */
export function normalizeEventBridgeAlarmEvent(event: unknown, ctx: NormalizeContext): NormalizedAlert {
  if (!isRecord(event)) throw invalidField('', 'expected an EventBridge event (JSON object)');
  if (event['detail-type'] !== ALARM_STATE_CHANGE) {
    throw invalidField('detail-type', `expected "${ALARM_STATE_CHANGE}"`);
  }
  const e = parseWith(EventBridgeAlarmEventSchema, event);
  const alarmArnValue = e.resources[0] ?? '';
  if (!ALARM_ARN.test(alarmArnValue)) throw invalidField('resources[0]', 'expected a CloudWatch alarm ARN');
  const raw = { ...event, detail: withDecodedReasonData(event.detail) };
  return buildAlert(
    alarmDataTransition(
      e.detail,
      { alarmArn: alarmArnValue, account: e.account, regionCode: e.region, extraLabels: { via: 'eventbridge' }, raw },
      ['detail'],
    ),
    ctx,
  );
}

/**
 * Normalizes the event an alarm sends when its action invokes a Lambda function directly:
 * `{source, alarmArn, accountId, time, region, alarmData: {alarmName, state, previousState, configuration}}`.
 */
export function normalizeAlarmLambdaEvent(event: unknown, ctx: NormalizeContext): NormalizedAlert {
  if (!isRecord(event)) throw invalidField('', 'expected an alarm Lambda event (JSON object)');
  const e = parseWith(AlarmLambdaEventSchema, event);
  const raw = { ...event, alarmData: withDecodedReasonData(event.alarmData) };
  return buildAlert(
    alarmDataTransition(
      e.alarmData,
      { alarmArn: e.alarmArn, account: e.accountId, regionCode: e.region, extraLabels: { via: 'alarm-lambda' }, raw },
      ['alarmData'],
    ),
    ctx,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// One entry point per route
// ---------------------------------------------------------------------------------------------------------------

export const CLOUDWATCH_ROUTES = ['sns-https', 'sns-lambda', 'sns-sqs', 'eventbridge', 'alarm-lambda'] as const;
export type CloudWatchRoute = (typeof CLOUDWATCH_ROUTES)[number];

/**
 * Normalizes a CloudWatch delivery by the route that took it (the route decides the shape; nothing is guessed).
 * `sns-https` takes the body text or its parsed JSON; the adapter must have verified the SNS signature first.
 */
export function normalizeCloudWatchRoute(route: CloudWatchRoute, body: unknown, ctx: NormalizeContext): NormalizedAlert[] {
  switch (route) {
    case 'sns-https': {
      const envelope = typeof body === 'string' ? parseSnsHttpBody(body) : parseSnsEnvelope(body);
      return [normalizeSnsNotification(envelope, 'sns-https', ctx)];
    }
    case 'sns-lambda':
      return normalizeSnsLambdaEvent(body, ctx);
    case 'sns-sqs':
      return normalizeSqsEvent(body, ctx);
    case 'eventbridge':
      return [normalizeEventBridgeAlarmEvent(body, ctx)];
    case 'alarm-lambda':
      return [normalizeAlarmLambdaEvent(body, ctx)];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The source descriptor (registry.ts)
// ---------------------------------------------------------------------------------------------------------------

/** `sources.cloudwatch` of the pipeline config. */
export const CloudWatchOptionsSchema = z._default(
  z.strictObject({
    /** Severity of an ALARM that no rule classifies. */
    defaultSeverity: z._default(z.enum(SEVERITIES), 'sev2'),
    /** SNS topics allowed to post to the HTTPS endpoint. The stack's own alarm topic is always allowed. */
    allowedTopicArns: z._default(z.array(z.string().check(z.regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/, 'expected an SNS topic ARN'))), []),
    /** Create an EventBridge rule that takes every "CloudWatch Alarm State Change" in the account. */
    eventBridgeRule: z._default(z.boolean(), false),
  }),
  { defaultSeverity: 'sev2', allowedTopicArns: [], eventBridgeRule: false },
);

const isRecordValue = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Which CloudWatch shape a body is, when the route is not known (replay of bodies without metadata). */
export function detectCloudWatchVia(body: unknown): CloudWatchRoute | 'alarm-message' {
  if (isRecordValue(body)) {
    if ('Type' in body && 'Message' in body) return 'sns-https';
    if ('Sns' in body) return 'sns-lambda';
    if (Array.isArray(body.Records)) {
      const first = body.Records[0];
      return isRecordValue(first) && 'body' in first ? 'sns-sqs' : 'sns-lambda';
    }
    if ('detail-type' in body) return 'eventbridge';
    if ('alarmData' in body) return 'alarm-lambda';
  }
  return 'alarm-message';
}

/**
 * A CloudWatch body as route `via` received it. Besides the routes, `alarm-message` is the bare alarm JSON
 * CloudWatch publishes to SNS (labelled `via: sns-lambda`, as the stack's alarm topic delivers it), and an
 * `sns-lambda` body may be one record `{EventSource, Sns}` (what ingest-sns archives) or a whole event.
 */
export function normalizeCloudWatchVia(via: string | undefined, body: unknown, ctx: NormalizeContext): NormalizedAlert[] {
  const route = via ?? detectCloudWatchVia(body);
  if (route === 'alarm-message') return [normalizeCloudWatchAlarmMessage(body, { via: 'sns-lambda' }, ctx)];
  if (route === 'sns-lambda' && isRecordValue(body) && !Array.isArray(body.Records)) {
    return [normalizeSnsNotification(parseSnsEnvelope(body.Sns, ['Sns']), 'sns-lambda', ctx)];
  }
  if ((CLOUDWATCH_ROUTES as readonly string[]).includes(route)) return normalizeCloudWatchRoute(route as CloudWatchRoute, body, ctx);
  throw invalidField('', `unknown CloudWatch route "${route}" (expected ${[...CLOUDWATCH_ROUTES, 'alarm-message'].join(', ')})`);
}

export const CLOUDWATCH_SOURCE = {
  name: 'cloudwatch',
  displayName: 'Amazon CloudWatch alarms (SNS HTTPS, SNS -> Lambda, SNS -> SQS, EventBridge, alarm -> Lambda)',
  identityFields: CLOUDWATCH_IDENTITY_FIELDS,
  fingerprintKey: 'cw:<AlarmArn>',
  alertsAre: 'states',
  resolveCondition: 'The alarm transitions to OK (`NewStateValue` or `detail.state.value` is "OK"); INSUFFICIENT_DATA is recorded but neither pages nor resolves.',
  idempotencyKey:
    'The transition `cw:<AlarmArn>|<state change time>|<new state>`, identical for every route, so an SNS redelivery and the EventBridge copy of one transition are one delivery.',
  exampleFixture: 'test/fixtures/events/cloudwatch/sns-https-metric-alarm.json',
  formatsSection: 'docs/sources.md (CloudWatch)',
  defaultVia: 'sns-https',
  options: { key: 'cloudwatch' as const, schema: CloudWatchOptionsSchema },
  routes: [
    {
      path: '/ingest/cloudwatch/{token}',
      auth: 'sns-signature',
      via: 'sns-https',
      output: {
        id: 'CloudWatchHttpsEndpoint',
        description: 'HTTPS endpoint for SNS topics of other accounts: replace <INGEST_TOKEN>, and list the topic in sources.cloudwatch.allowedTopicArns',
      },
      banner: 'CloudWatch SNS',
    },
  ],
  eventBridge: [{ source: 'aws.cloudwatch', detailType: ALARM_STATE_CHANGE, normalize: (event, ctx) => [normalizeEventBridgeAlarmEvent(event, ctx)] }],
  eventBridgeRule: {
    id: 'AlarmStateChangeRule',
    description: 'Every CloudWatch alarm state change in this account and Region goes to the alert pipeline',
    enabled: (options) => options.eventBridgeRule,
  },
  detectVia: detectCloudWatchVia,
  prepare: () => ({ normalize: normalizeCloudWatchVia }),
  fixtureVia: (caseName) => CLOUDWATCH_ROUTES.find((r) => caseName.startsWith(`${r}-`)),
} satisfies SourceDescriptor<z.infer<typeof CloudWatchOptionsSchema>>;
