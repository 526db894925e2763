/**
 * `cloudwatchAlarms`: enrichment of CloudWatch alarms (their tags and description, read with ListTagsForResource and
 * DescribeAlarms, cached per alarm ARN) and the sweeper's reconciliation of incidents whose alarm is back in OK but
 * whose OK message never arrived. `local` is the local runtime's stand-in for CloudWatch: the tags, description and
 * state of alarms, keyed by alarm name or ARN. See docs/sources.md §CloudWatch alarm enrichment.
 */
import * as z from 'zod/mini';

/** An AWS tag key and value (1-128 and 0-256 characters). */
const tagKey = z.string().check(z.minLength(1), z.maxLength(128));
const tagValue = z.string().check(z.maxLength(256));

/** One alarm as the local stand-in reports it. */
const LocalAlarmSchema = z.strictObject({
  tags: z._default(z.record(tagKey, tagValue), {}),
  description: z.optional(z.string().check(z.maxLength(1024))),
  /** The alarm's current state as the stand-in's DescribeAlarms answers it (absent: unknown, never reconciled). */
  state: z.optional(z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA'])),
});

const ReconcileSchema = z.strictObject({
  /** The sweeper resolves open CloudWatch incidents whose alarm is in OK (DescribeAlarms) when the OK never came. */
  enabled: z._default(z.boolean(), true),
  /** Only incidents whose newest state change is at least this old (the OK message gets time to arrive first). */
  afterMinutes: z._default(z.int().check(z.minimum(0), z.maximum(24 * 60)), 5),
  /** Incidents looked at per sweep (DescribeAlarms takes 100 names per call). */
  maxPerSweep: z._default(z.int().check(z.minimum(1), z.maximum(1000)), 200),
});

export const DEFAULT_RECONCILE = { enabled: true, afterMinutes: 5, maxPerSweep: 200 };

export const CloudwatchAlarmsSchema = z.strictObject({
  /** Read each alarm's tags and description before the rules run (`alarm.tags`, `alarm.description`). */
  enrichment: z._default(z.boolean(), true),
  /** How long an alarm's tags and description are reused (a failed lookup: at most 60 s). */
  cacheSeconds: z._default(z.int().check(z.minimum(0), z.maximum(86_400)), 300),
  /** Alarms kept in the cache of one processor instance (least recently used out first). */
  cacheSize: z._default(z.int().check(z.minimum(1), z.maximum(100_000)), 1000),
  /** How long one CloudWatch call may take before the alert goes on without its alarm's details (ms). */
  timeoutMs: z._default(z.int().check(z.minimum(100), z.maximum(10_000)), 2000),
  reconcile: z._default(ReconcileSchema, DEFAULT_RECONCILE),
  /** The local runtime's stand-in for CloudWatch, keyed by alarm name or alarm ARN. Ignored in AWS. */
  local: z._default(z.record(z.string().check(z.minLength(1), z.maxLength(2048)), LocalAlarmSchema), {}),
});

export const DEFAULT_CLOUDWATCH_ALARMS = {
  enrichment: true,
  cacheSeconds: 300,
  cacheSize: 1000,
  timeoutMs: 2000,
  reconcile: DEFAULT_RECONCILE,
  local: {},
};

export type CloudwatchAlarmsConfig = z.infer<typeof CloudwatchAlarmsSchema>;
