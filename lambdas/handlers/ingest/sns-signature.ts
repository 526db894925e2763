/** CloudWatch over SNS HTTPS: topic allow-list and signature, subscription confirmations, then the alarm. */
import { InvalidPayloadError } from '../../core/errors';
import { normalizeSnsNotification } from '../../core/normalize/cloudwatch';
import { parseSnsHttpBody } from '../../core/normalize/sns-envelope';
import { json, readBody } from '../shared/http';
import { logger } from '../shared/logger';
import { INGEST_MAX_BODY_BYTES } from '../routes';
import type { IngestRouteHandler } from './shared';

export const snsSignature: IngestRouteHandler = async (ingest, event, source, route) => {
  const integration = await ingest.requireToken(event, source);
  const text = readBody(event, INGEST_MAX_BODY_BYTES);
  const envelope = parseSnsHttpBody(text);
  // Topic allow-list and signature before anything else (no network I/O for strangers).
  await ingest.deps.sns.verify(envelope.original, envelope.topicArn);
  if (envelope.type === 'SubscriptionConfirmation') {
    if (!envelope.subscribeUrl) throw new InvalidPayloadError([{ path: 'SubscribeURL', message: 'required for SubscriptionConfirmation' }]);
    await ingest.deps.sns.confirmSubscription(envelope.subscribeUrl);
    logger.info('SNS subscription confirmed', { topicArn: envelope.topicArn });
    return json(200, { status: 'subscription-confirmed', topicArn: envelope.topicArn });
  }
  if (envelope.type === 'UnsubscribeConfirmation') {
    logger.warn('SNS unsubscribe confirmation received; not acted on', { topicArn: envelope.topicArn });
    return json(200, { status: 'ignored', reason: 'unsubscribe confirmations are logged, not acted on' });
  }
  const ctx = ingest.context(event);
  const alerts = [normalizeSnsNotification(envelope, route.via, ctx)];
  const result = await ingest.accept(source, route.via, text, alerts, ctx, integration);
  return json(200, { status: 'accepted', alerts: result.alertCount });
};
