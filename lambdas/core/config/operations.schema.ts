/**
 * The `operations:` section of the pipeline config: who hears about the pipeline's own trouble (the ops topic's
 * subscribers, apart from the alarm topic the pipeline ingests) and the thresholds of its alarms
 * (docs/deploy.md, "Operating the pipeline"). Every threshold has a default, so the section is optional.
 */
import * as z from 'zod/mini';

export const OpsSubscriberSchema = z.union([
  z.strictObject({ type: z.literal('email'), address: z.string().check(z.regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'expected an email address')) }),
  z.strictObject({ type: z.literal('https'), url: z.string().check(z.regex(/^https:\/\/[^\s]+$/, 'expected an https:// URL')) }),
]);
export type OpsSubscriber = z.infer<typeof OpsSubscriberSchema>;

const count = (max: number) => z.int().check(z.minimum(0), z.maximum(max));

export const OPERATIONS_THRESHOLD_DEFAULTS = {
  /** Lambda Errors of one function in 5 minutes above which its alarm fires. */
  functionErrors: 0,
  /** Lambda Throttles of one function in 5 minutes. */
  functionThrottles: 0,
  /** Escalation executions failed or timed out in 5 minutes. */
  executionsFailed: 0,
  /** API Gateway 5xx answers in 5 minutes. */
  api5xx: 5,
  /** Messages in the alert dead-letter queue. */
  deadLetterMessages: 0,
  /** Age (s) of the oldest message of the alert queue, 3 minutes running. */
  queueAgeSeconds: 300,
  /** DynamoDB throttled requests of one table in 5 minutes. */
  dynamodbThrottles: 0,
  /** Notification deliveries that failed for good (every attempt) in 5 minutes. */
  notificationFailures: 0,
  /** Inline pages whose asynchronous invoke failed (on-failure destination queue depth). */
  failedInlinePages: 0,
} as const;

export const OperationsThresholdsSchema = z.strictObject({
  functionErrors: z._default(count(1_000_000), OPERATIONS_THRESHOLD_DEFAULTS.functionErrors),
  functionThrottles: z._default(count(1_000_000), OPERATIONS_THRESHOLD_DEFAULTS.functionThrottles),
  executionsFailed: z._default(count(1_000_000), OPERATIONS_THRESHOLD_DEFAULTS.executionsFailed),
  /**
   * Escalation executions aborted in 5 minutes. No alarm unless set: acknowledge and resolve stop the incident's
   * execution (StopExecution), which Step Functions counts as aborted, so aborted executions are normal operation.
   */
  executionsAborted: z.optional(count(1_000_000)),
  api5xx: z._default(count(1_000_000), OPERATIONS_THRESHOLD_DEFAULTS.api5xx),
  deadLetterMessages: z._default(count(1_000_000), OPERATIONS_THRESHOLD_DEFAULTS.deadLetterMessages),
  queueAgeSeconds: z._default(z.int().check(z.minimum(60), z.maximum(14 * 86_400)), OPERATIONS_THRESHOLD_DEFAULTS.queueAgeSeconds),
  dynamodbThrottles: z._default(count(1_000_000), OPERATIONS_THRESHOLD_DEFAULTS.dynamodbThrottles),
  notificationFailures: z._default(count(1_000_000), OPERATIONS_THRESHOLD_DEFAULTS.notificationFailures),
  failedInlinePages: z._default(count(1_000_000), OPERATIONS_THRESHOLD_DEFAULTS.failedInlinePages),
});
export type OperationsThresholds = z.infer<typeof OperationsThresholdsSchema>;

export const OperationsConfigSchema = z.strictObject({
  /** Who the ops topic notifies (alarm and OK) when the pipeline itself is in trouble. */
  subscribers: z._default(z.array(OpsSubscriberSchema).check(z.maxLength(20)), []),
  /** Alarm thresholds; each one alarms when its metric is above the value (see OPERATIONS_THRESHOLD_DEFAULTS). */
  thresholds: z._default(OperationsThresholdsSchema, { ...OPERATIONS_THRESHOLD_DEFAULTS }),
});
export type OperationsConfig = z.infer<typeof OperationsConfigSchema>;

export const DEFAULT_OPERATIONS_CONFIG: OperationsConfig = { subscribers: [], thresholds: { ...OPERATIONS_THRESHOLD_DEFAULTS } };
