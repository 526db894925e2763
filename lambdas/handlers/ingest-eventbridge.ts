/**
 * Handler: "CloudWatch Alarm State Change" events from the optional EventBridge rule. Normalized to the same
 * fingerprint and delivery key as the SNS route, so an alarm reaching both ways is counted once.
 */
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import { normalizeOptionsFrom } from '../core/config/normalize-options';
import { normalizeEventBridgeAlarmEvent } from '../core/normalize/cloudwatch';
import { S3RawArchive } from '../adapters/s3/s3-raw-archive';
import { SqsAlertQueue, SqsDeadLetters } from '../adapters/sqs/sqs-alert-queue';
import { s3Client, sqsClient, once } from './shared/aws';
import { deployedConfig } from './shared/deployed-config';
import { env } from './shared/env';
import { ingestEventRecords, type EventIngestDeps } from './shared/ingest-events';

type AlarmEvent = EventBridgeEvent<string, unknown>;

export function createIngestEventBridgeHandler(deps: EventIngestDeps & { config: PipelineConfig }) {
  const options = normalizeOptionsFrom(deps.config);
  return middy<AlarmEvent, { accepted: number; deadLettered: number }>(async (event: AlarmEvent) =>
    ingestEventRecords(
      'cloudwatch',
      'eventbridge',
      [{ raw: event, requestId: event.id ?? 'unknown', normalize: (ctx) => [normalizeEventBridgeAlarmEvent(event, { ...ctx, options })] }],
      deps,
    ),
  );
}

const awsHandler = once(() =>
  createIngestEventBridgeHandler({
    config: deployedConfig(),
    archive: new S3RawArchive(s3Client(), env.archiveBucket()),
    queue: new SqsAlertQueue(sqsClient(), env.queueUrl()),
    deadLetters: new SqsDeadLetters(sqsClient(), env.deadLetterQueueUrl()),
    clock: { now: () => new Date() },
  }),
);

export const handler = (event: AlarmEvent, context: Context) => awsHandler()(event, context);
