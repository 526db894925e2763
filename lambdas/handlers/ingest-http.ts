/**
 * Handler: HTTP ingestion (API Gateway HTTP API routes `POST /ingest/...`, product.md "Public HTTP contract").
 * Parses and authenticates the request, normalizes the body (400 naming the bad field), then `acceptDelivery`
 * archives it raw and enqueues it durably; only then does it answer 200 (202 for Events v2).
 */
import { randomUUID } from 'node:crypto';
import { AuthenticationError, InvalidPayloadError, NotFoundError } from '../core/errors';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import { normalizeOptionsFrom } from '../core/config/normalize-options';
import type { NormalizedAlert, SourceName } from '../core/model/alert';
import { normalizeThreatStack } from '../core/normalize/threatstack';
import { normalizeAlertmanager } from '../core/normalize/alertmanager';
import { normalizeEventsV2 } from '../core/normalize/events-v2';
import { normalizeSnsNotification } from '../core/normalize/cloudwatch';
import { compileWebhook, type WebhookNormalizer } from '../core/normalize/webhook';
import { parseSnsHttpBody } from '../core/normalize/sns-envelope';
import type { NormalizeContext } from '../core/normalize/shared';
import { acceptDelivery } from '../core/pipeline';
import type { AlertQueue, Clock, RawArchive } from '../core/ports';
import { S3RawArchive } from '../adapters/s3/s3-raw-archive';
import { SqsAlertQueue } from '../adapters/sqs/sqs-alert-queue';
import { SecretsManagerTokens, tokenMatches, type TokenSource } from '../adapters/secrets/token-source';
import { SnsMessageVerifier, type SnsVerifier } from '../adapters/sns/sns-message-verifier';
import { s3Client, secretsClient, sqsClient, once } from './shared/aws';
import { deployedConfig } from './shared/deployed-config';
import { env } from './shared/env';
import { httpHandler, json, parseJson, readBody, type HttpEvent, type HttpResult, type RouteHandlers } from './shared/http';
import { logger } from './shared/logger';
import { EVENTS_V2_MAX_BODY_BYTES, INGEST_MAX_BODY_BYTES } from './routes';

/** Threat Stack, SNS and Alertmanager bodies: 1 MiB (product.md). */
export const MAX_BODY_BYTES = INGEST_MAX_BODY_BYTES;
/** PagerDuty Events v2 payload limit. */
export const MAX_EVENTS_V2_BYTES = EVENTS_V2_MAX_BODY_BYTES;

export interface IngestDeps {
  config: PipelineConfig;
  archive: RawArchive;
  queue: AlertQueue;
  tokens: TokenSource;
  sns: SnsVerifier;
  clock: Clock;
  newRequestId(): string;
}

export function createIngestHttpHandler(deps: IngestDeps) {
  const options = normalizeOptionsFrom(deps.config);
  const allowedIps = new Set(deps.config.sources.threatstack.allowedSourceIps);
  // Generic webhooks: CEL mappings compiled once.
  const webhooks = new Map<string, WebhookNormalizer>(deps.config.sources.webhooks.map((w) => [w.name, compileWebhook(w)]));

  const context = (event: HttpEvent): NormalizeContext => ({
    receivedAt: deps.clock.now().toISOString(),
    requestId: event.requestContext?.requestId || deps.newRequestId(),
    options,
  });

  async function requireToken(event: HttpEvent): Promise<void> {
    const token = event.pathParameters?.token;
    if (!tokenMatches(token, await deps.tokens.tokens())) throw new NotFoundError('no such ingestion endpoint');
  }

  async function accept(source: SourceName, via: string, rawBody: string, alerts: NormalizedAlert[], ctx: NormalizeContext) {
    const result = await acceptDelivery(
      { source, via, rawBody, alerts, receivedAt: ctx.receivedAt, requestId: ctx.requestId },
      deps,
    );
    logger.info('delivery accepted', { source, via, alerts: result.alertCount, messages: result.messageKeys.length, archiveKey: result.archiveKey });
    return result;
  }

  async function threatstack(event: HttpEvent): Promise<HttpResult> {
    await requireToken(event);
    if (allowedIps.size > 0) {
      const ip = event.requestContext?.http?.sourceIp ?? '';
      if (!allowedIps.has(ip)) throw new AuthenticationError(`source IP ${ip} is not an allowed Threat Stack sender`, { code: 'source_ip_not_allowed' });
    }
    return acceptJson(event, 'threatstack', 'threatstack-webhook', normalizeThreatStack);
  }

  /** A JSON body of one source: read (1 MiB), normalize (400 naming the field), archive and enqueue, then 200. */
  async function acceptJson(event: HttpEvent, source: SourceName, via: string, normalize: (body: unknown, ctx: NormalizeContext) => NormalizedAlert[]): Promise<HttpResult> {
    const text = readBody(event, MAX_BODY_BYTES);
    const ctx = context(event);
    const alerts = normalize(parseJson(text), ctx);
    const result = await accept(source, via, text, alerts, ctx);
    return json(200, { status: 'accepted', alerts: result.alertCount });
  }

  async function cloudwatch(event: HttpEvent): Promise<HttpResult> {
    await requireToken(event);
    const text = readBody(event, MAX_BODY_BYTES);
    const envelope = parseSnsHttpBody(text);
    // Topic allow-list and signature before anything else (no network I/O for strangers).
    await deps.sns.verify(envelope.original, envelope.topicArn);
    if (envelope.type === 'SubscriptionConfirmation') {
      if (!envelope.subscribeUrl) throw new InvalidPayloadError([{ path: 'SubscribeURL', message: 'required for SubscriptionConfirmation' }]);
      await deps.sns.confirmSubscription(envelope.subscribeUrl);
      logger.info('SNS subscription confirmed', { topicArn: envelope.topicArn });
      return json(200, { status: 'subscription-confirmed', topicArn: envelope.topicArn });
    }
    if (envelope.type === 'UnsubscribeConfirmation') {
      logger.warn('SNS unsubscribe confirmation received; not acted on', { topicArn: envelope.topicArn });
      return json(200, { status: 'ignored', reason: 'unsubscribe confirmations are logged, not acted on' });
    }
    const ctx = context(event);
    const alerts = [normalizeSnsNotification(envelope, 'sns-https', ctx)];
    const result = await accept('cloudwatch', 'sns-https', text, alerts, ctx);
    return json(200, { status: 'accepted', alerts: result.alertCount });
  }

  async function eventsV2(event: HttpEvent): Promise<HttpResult> {
    const text = readBody(event, MAX_EVENTS_V2_BYTES);
    const ctx = context(event);
    let normalized: ReturnType<typeof normalizeEventsV2>;
    try {
      normalized = normalizeEventsV2(parseJson(text), ctx);
    } catch (err) {
      if (err instanceof InvalidPayloadError) {
        return json(400, {
          status: 'invalid event',
          message: 'Event object is invalid',
          errors: err.issues.map((i) => `${i.path}: ${i.message}`),
          error: { code: err.code, message: err.message, details: err.details },
        });
      }
      throw err;
    }
    if (!tokenMatches(normalized.routingKey, await deps.tokens.tokens())) {
      return json(400, {
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: ['routing_key: not a known integration key'],
        error: { code: 'invalid_payload', message: 'routing_key is not a known integration key', details: { issues: [{ path: 'routing_key', message: 'unknown integration key' }] } },
      });
    }
    await accept('events-v2', 'events-v2', text, [normalized.alert], ctx);
    return json(202, { status: 'success', message: 'Event processed', dedup_key: normalized.dedupKey });
  }

  async function alertmanager(event: HttpEvent): Promise<HttpResult> {
    await requireToken(event);
    return acceptJson(event, 'alertmanager', 'alertmanager-webhook', normalizeAlertmanager);
  }

  async function webhook(event: HttpEvent): Promise<HttpResult> {
    await requireToken(event);
    const name = event.pathParameters?.name ?? '';
    const normalize = webhooks.get(name);
    if (!normalize) throw new NotFoundError('no such ingestion endpoint');
    return acceptJson(event, 'webhook', `webhook:${name}`, normalize);
  }

  const routes: RouteHandlers = {
    'POST /ingest/webhook/{name}/{token}': webhook,
    'POST /ingest/threatstack/{token}': threatstack,
    'POST /ingest/cloudwatch/{token}': cloudwatch,
    'POST /ingest/events/v2': eventsV2,
    'POST /ingest/alertmanager/{token}': alertmanager,
  };

  return httpHandler(routes);
}

const awsHandler = once(() => {
  const config = deployedConfig();
  return createIngestHttpHandler({
    config,
    archive: new S3RawArchive(s3Client(), env.archiveBucket()),
    queue: new SqsAlertQueue(sqsClient(), env.queueUrl()),
    tokens: new SecretsManagerTokens(secretsClient(), env.ingestTokenSecretId()),
    sns: new SnsMessageVerifier({ allowedTopicArns: env.snsAllowedTopicArns() }),
    clock: { now: () => new Date() },
    newRequestId: randomUUID,
  });
});

export const handler = (event: HttpEvent, context: import('aws-lambda').Context) => awsHandler()(event, context);

