/**
 * Handler: events from the stack's optional EventBridge rules (one per source that asks for it, e.g. "CloudWatch
 * Alarm State Change", "GuardDuty Finding"). Dispatches on the event's `source` and `detail-type` through the source
 * registry, like `POST /ingest/eventbridge/{token}`; an event of a pair no source accepts is dead-lettered with
 * that reason. A CloudWatch alarm gets the same fingerprint and delivery key as over SNS, so an alarm reaching both
 * ways is counted once.
 */
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import { normalizeOptionsFrom } from '../core/config/normalize-options';
import { InvalidPayloadError } from '../core/errors';
import { EVENTBRIDGE_VIA, eventTypeOf, type SourceEventType } from '../core/normalize/registry';
import { once } from './shared/aws';
import { observability } from './shared/observability';
import { awsEventIngestDeps, ingestEventRecords, type EventIngestDeps } from './shared/ingest-events';

type AnyEvent = EventBridgeEvent<string, unknown>;

export function createIngestEventBridgeHandler(deps: EventIngestDeps & { config: PipelineConfig }) {
  const options = normalizeOptionsFrom(deps.config);
  return middy<AnyEvent, { accepted: number; deadLettered: number }>(async (event: AnyEvent) => {
    let match: SourceEventType | undefined;
    let refused: InvalidPayloadError | undefined;
    try {
      match = eventTypeOf(event);
    } catch (err) {
      if (!(err instanceof InvalidPayloadError)) throw err;
      refused = err;
    }
    return ingestEventRecords(
      match?.source ?? String((event as { source?: unknown } | null)?.source),
      EVENTBRIDGE_VIA,
      [
        {
          raw: event,
          requestId: event?.id ?? 'unknown',
          normalize: (ctx) => {
            if (!match) throw refused ?? new InvalidPayloadError([{ path: 'detail-type', message: 'unknown event type' }]);
            return match.type.normalize(event, { ...ctx, options });
          },
        },
      ],
      deps,
    );
  }).use(observability(deps.metrics));
}

const awsHandler = once(() => createIngestEventBridgeHandler(awsEventIngestDeps()));

export const handler = (event: AnyEvent, context: Context) => awsHandler()(event, context);
