/**
 * Handler: the SQS consumer. Parses each record into an envelope (a foreign or corrupt message goes straight to the
 * dead-letter queue with its reason), runs `processEnvelopes`, and reports partial batch failures so only the
 * records of failed fingerprint groups are retried.
 */
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { InvalidPayloadError } from '../core/errors';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import type { Rules } from '../core/evaluate';
import { compileRules } from '../core/rules/compile';
import { parseEnvelope } from '../core/model/envelope.schema';
import { inhibitEdgesOfConfig } from '../core/inhibition';
import { processEnvelopes, type QueueRecord } from '../core/pipeline';
import type { AlarmDetails, Clock, DeadLetters, Escalator, IncidentStore, MetricsSink, OperationsStore, RawArchive, StatusNotifier } from '../core/ports';
import { awsAlarmDetails, enrichmentSource } from './shared/alarm-details';
import { processMetrics } from '../core/metrics';
import { cachedWindowLoader } from '../core/rules/window-loader';
import { DynamoOperationsStore } from '../adapters/dynamodb/operations-store';
import { awsEscalator, awsStatusNotifier } from './shared/escalation';
import { awsIncidentStore } from './shared/insights';
import { SqsDeadLetters } from '../adapters/sqs/sqs-alert-queue';
import { S3RawArchive } from '../adapters/s3/s3-raw-archive';
import { dynamodbClient, s3Client, sqsClient, once } from './shared/aws';
import { deployedConfig } from './shared/deployed-config';
import { env } from './shared/env';
import { batchSummary } from './shared/batch-summary';
import { coreLog, logger } from './shared/logger';
import { awsMetrics, observability } from './shared/observability';

export interface ProcessorDeps {
  config: PipelineConfig;
  store: IncidentStore;
  escalator: Escalator;
  deadLetters: DeadLetters;
  /** Where the raw bodies the messages carry are archived, one object per batch, before the batch is processed. */
  archive?: Pick<RawArchive, 'put'>;
  clock: Clock;
  /** Where ad-hoc maintenance windows live (API-created); omit to consider config windows only. */
  ops?: OperationsStore;
  rules?: Rules;
  /** Told when a batch opened, acknowledged or resolved an incident (the status page re-renders). */
  statusNotifier?: StatusNotifier;
  /** CloudWatch alarm tags and description (uncached; the handler caches per config.cloudwatchAlarms). */
  alarmDetails?: AlarmDetails;
  /** Incidents opened, alerts deduplicated and suppressed (flushed once per invocation). */
  metrics?: MetricsSink;
}

/** Outcomes after which a status page component may show something else. */
const STATUS_OUTCOMES = new Set(['opened', 'resolved', 'acknowledged']);

export function createProcessAlertsHandler(deps: ProcessorDeps) {
  const rules = deps.rules ?? compileRules(deps.config);
  const inhibitEdges = inhibitEdgesOfConfig(deps.config);
  const maintenanceWindows = cachedWindowLoader(deps.ops, deps.clock);
  const alarmDetails = deps.alarmDetails ? enrichmentSource(deps.config, deps.alarmDetails, deps.clock) : undefined;
  return middy<SQSEvent, SQSBatchResponse>(async (event: SQSEvent) => {
    const records: QueueRecord[] = [];
    const failures: string[] = [];
    for (const r of event.Records ?? []) {
      try {
        records.push({ recordId: r.messageId, envelope: parseEnvelope(r.body) });
      } catch (err) {
        if (!(err instanceof InvalidPayloadError)) throw err;
        try {
          await deps.deadLetters.put(r.body, `processor: ${err.message}`);
          logger.error('poison message dead-lettered', { messageId: r.messageId, error: err.message });
        } catch (dlqErr) {
          logger.error('could not dead-letter a poison message; it will be retried', { messageId: r.messageId, error: String(dlqErr) });
          failures.push(r.messageId);
        }
      }
    }
    const result = await processEnvelopes(records, {
      store: deps.store,
      ...(deps.archive !== undefined ? { archive: deps.archive } : {}),
      escalator: deps.escalator,
      rules,
      alertLogMax: deps.config.processing.alertLogLimit,
      maxFutureSkewSeconds: deps.config.processing.maxFutureSkewSeconds,
      maintenanceWindows,
      inhibitEdges,
      ...(alarmDetails !== undefined ? { alarmDetails } : {}),
      clock: deps.clock,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      log: coreLog,
    });
    failures.push(...result.failedRecordIds);
    logger.info('batch processed', batchSummary(event.Records?.length ?? 0, result, failures.length));
    deps.metrics?.add(processMetrics(result.outcomes));
    if (deps.statusNotifier && result.outcomes.some((o) => STATUS_OUTCOMES.has(o.outcome))) {
      await deps.statusNotifier.statusMayHaveChanged('processor').catch((err: unknown) => logger.warn('status notification failed', { error: String(err) }));
    }
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  }).use(observability(deps.metrics));
}

const awsHandler = once(() => {
  const config = deployedConfig();
  const store = awsIncidentStore(config);
  return createProcessAlertsHandler({
    config,
    store,
    ops: new DynamoOperationsStore(dynamodbClient(), env.tableName()),
    escalator: awsEscalator(config, store),
    deadLetters: new SqsDeadLetters(sqsClient(), env.deadLetterQueueUrl()),
    archive: new S3RawArchive(s3Client(), env.archiveBucket()),
    clock: { now: () => new Date() },
    statusNotifier: awsStatusNotifier(),
    alarmDetails: awsAlarmDetails(config),
    metrics: awsMetrics(),
  });
});

export const handler = (event: SQSEvent, context: Context) => awsHandler()(event, context);
