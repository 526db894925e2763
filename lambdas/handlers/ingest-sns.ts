/**
 * Handler: CloudWatch alarms published to the stack's own alarm topic (SNS -> Lambda). IAM protects this path, so
 * no signature check; each record is normalized, archived and enqueued like an HTTPS delivery.
 */
import middy from '@middy/core';
import type { Context, SNSEvent } from 'aws-lambda';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import { normalizeOptionsFrom } from '../core/config/normalize-options';
import { normalizeSnsNotification } from '../core/normalize/cloudwatch';
import { parseSnsEnvelope } from '../core/normalize/sns-envelope';
import { once } from './shared/aws';
import { observability } from './shared/observability';
import { awsEventIngestDeps, ingestEventRecords, type EventIngestDeps } from './shared/ingest-events';

export function createIngestSnsHandler(deps: EventIngestDeps & { config: PipelineConfig }) {
  const options = normalizeOptionsFrom(deps.config);
  return middy<SNSEvent, { accepted: number; deadLettered: number }>(async (event: SNSEvent) =>
    ingestEventRecords(
      'cloudwatch',
      'sns-lambda',
      (event.Records ?? []).map((record, i) => ({
        raw: record,
        requestId: record.Sns?.MessageId ?? 'unknown',
        normalize: (ctx) => [normalizeSnsNotification(parseSnsEnvelope(record.Sns, ['Records', i, 'Sns']), 'sns-lambda', { ...ctx, options })],
      })),
      deps,
    ),
  ).use(observability(deps.metrics));
}

const awsHandler = once(() => createIngestSnsHandler(awsEventIngestDeps()));

export const handler = (event: SNSEvent, context: Context) => awsHandler()(event, context);
