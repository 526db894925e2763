/**
 * Shared body of the non-HTTP ingest handlers (SNS -> Lambda, EventBridge -> Lambda): normalize each record,
 * archive and enqueue it. A record that can never be valid goes to the dead-letter queue with its reason (a retry
 * cannot fix it); a transient failure throws so Lambda's async retries and on-failure destination take over.
 */
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { InvalidPayloadError } from '../../core/errors';
import type { NormalizedAlert, RegisteredSourceName } from '../../core/model/alert';
import type { NormalizeContext } from '../../core/normalize/shared';
import { acceptDelivery } from '../../core/pipeline';
import type { AlertQueue, Clock, DeadLetters, MetricsSink, RawArchive } from '../../core/ports';
import { acceptedMetrics, rejectedMetrics } from '../../core/metrics';
import { S3RawArchive } from '../../adapters/s3/s3-raw-archive';
import { SqsAlertQueue, SqsDeadLetters } from '../../adapters/sqs/sqs-alert-queue';
import { s3Client, sqsClient } from './aws';
import { deployedConfig } from './deployed-config';
import { env } from './env';
import { logger } from './logger';
import { awsMetrics } from './observability';

export interface EventIngestDeps {
  archive: Pick<RawArchive, 'put'>;
  queue: AlertQueue;
  deadLetters: DeadLetters;
  clock: Clock;
  /** Accepted alerts and rejected records per source (flushed by the handler's middleware). */
  metrics?: MetricsSink;
}

export interface EventRecordInput {
  /** The record exactly as received (archived raw). */
  raw: unknown;
  requestId: string;
  normalize(ctx: Omit<NormalizeContext, 'options'>): NormalizedAlert[];
}

export async function ingestEventRecords(
  source: RegisteredSourceName,
  via: string,
  records: readonly EventRecordInput[],
  deps: EventIngestDeps,
): Promise<{ accepted: number; deadLettered: number }> {
  let accepted = 0;
  let deadLettered = 0;
  for (const record of records) {
    const rawBody = JSON.stringify(record.raw);
    const receivedAt = deps.clock.now().toISOString();
    let alerts: NormalizedAlert[];
    try {
      alerts = record.normalize({ receivedAt, requestId: record.requestId });
    } catch (err) {
      if (!(err instanceof InvalidPayloadError)) throw err;
      logger.warn('record rejected; sent to the dead-letter queue', { source, via, error: err.message });
      await deps.deadLetters.put(rawBody, `${via}: ${err.message}`);
      deadLettered++;
      deps.metrics?.add(rejectedMetrics(source));
      continue;
    }
    const result = await acceptDelivery({ source, via, rawBody, alerts, receivedAt, requestId: record.requestId }, deps);
    // DEBUG: the AlertsAccepted metric counts accepted records; a rejected one is a warning above.
    logger.debug('delivery accepted', { source, via, alerts: result.alertCount, archiveKey: result.archiveKey });
    accepted += result.alertCount;
    deps.metrics?.add(acceptedMetrics(source, result.alertCount));
  }
  return { accepted, deadLettered };
}

/** The AWS dependencies of an event ingest handler: the deployed config, the S3 archive, the queue and its DLQ. */
export function awsEventIngestDeps(): EventIngestDeps & { config: PipelineConfig } {
  return {
    config: deployedConfig(),
    archive: new S3RawArchive(s3Client(), env.archiveBucket()),
    queue: new SqsAlertQueue(sqsClient(), env.queueUrl()),
    deadLetters: new SqsDeadLetters(sqsClient(), env.deadLetterQueueUrl()),
    clock: { now: () => new Date() },
    metrics: awsMetrics(),
  };
}
