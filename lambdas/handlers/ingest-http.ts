/**
 * Handler: HTTP ingestion (API Gateway HTTP API routes `POST /ingest/...`, README "HTTP contract").
 * The routes come from the source registry (core/normalize/registry.ts) and are dispatched by their auth: a path
 * token (any source's JSON route, and `POST /ingest/eventbridge/{token}`, which dispatches on the event's `source`
 * and `detail-type`), an SNS signature (CloudWatch over SNS HTTPS) or an Events v2 routing key. Each parses and
 * authenticates the request, normalizes the body (400 naming the bad field), then `acceptDelivery` archives it raw
 * and enqueues it durably; only then does it answer 200 (202 for Events v2).
 */
import { randomUUID } from 'node:crypto';
import { InvalidPayloadError, NotFoundError } from '../core/errors';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import { normalizeOptionsFrom } from '../core/config/normalize-options';
import type { NormalizedAlert } from '../core/model/alert';
import { normalizeEventsV2 } from '../core/normalize/events-v2';
import { normalizeSnsNotification } from '../core/normalize/cloudwatch';
import { parseSnsHttpBody } from '../core/normalize/sns-envelope';
import type { NormalizeContext } from '../core/normalize/shared';
import type { IngestAuth, IngestRoute } from '../core/normalize/source';
import { EVENTBRIDGE_INGEST_PATH, EVENTBRIDGE_VIA, eventTypeOf, preparedSource, SOURCE_ROUTES, SOURCES, type SourceName } from '../core/normalize/registry';
import { acceptDelivery } from '../core/pipeline';
import type { AlertQueue, Clock, RawArchive } from '../core/ports';
import { S3RawArchive } from '../adapters/s3/s3-raw-archive';
import { SqsAlertQueue } from '../adapters/sqs/sqs-alert-queue';
import type { SnsVerifier, TokenSource } from '../core/ports';
import { SecretsManagerTokens, tokenMatches } from '../adapters/secrets/token-source';
import { SnsMessageVerifier } from '../adapters/sns/sns-message-verifier';
import { s3Client, secretsClient, sqsClient, once } from './shared/aws';
import { deployedConfig } from './shared/deployed-config';
import { env } from './shared/env';
import { httpHandler, json, parseJson, readBody, type HttpEvent, type HttpResult, type RouteHandlers } from './shared/http';
import { routeKeyOf } from './routes';
import { logger } from './shared/logger';
import { EVENTS_V2_MAX_BODY_BYTES, INGEST_MAX_BODY_BYTES } from './routes';

/** Threat Stack, SNS and Alertmanager bodies: 1 MiB (README.md §HTTP contract). */
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
  const sources = deps.config.sources;
  // Every source prepared once, up front (generic webhooks: the CEL mappings compile here).
  for (const source of SOURCES) preparedSource(source, sources);

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

  /**
   * A source's JSON route behind the path token: the token, the source's own admission check (Threat Stack's IP
   * allow-list, a known webhook name), then the body (1 MiB), normalized (400 naming the field), archived and
   * enqueued, then 200.
   */
  async function pathToken(event: HttpEvent, source: SourceName, route: IngestRoute): Promise<HttpResult> {
    await requireToken(event);
    const via = route.via.replace('{name}', event.pathParameters?.name ?? '');
    const prepared = preparedSource(source, sources);
    prepared.admit?.({ via, sourceIp: event.requestContext?.http?.sourceIp });
    const text = readBody(event, MAX_BODY_BYTES);
    const ctx = context(event);
    const alerts = prepared.normalize(via, parseJson(text), ctx);
    const result = await accept(source, via, text, alerts, ctx);
    return json(200, { status: 'accepted', alerts: result.alertCount });
  }

  /** Any EventBridge event of a registered `source` and `detail-type` (400 naming an unknown pair). */
  async function eventBridge(event: HttpEvent): Promise<HttpResult> {
    await requireToken(event);
    const text = readBody(event, MAX_BODY_BYTES);
    const body = parseJson(text);
    const { source, type } = eventTypeOf(body);
    const ctx = context(event);
    const result = await accept(source, EVENTBRIDGE_VIA, text, type.normalize(body, ctx), ctx);
    return json(200, { status: 'accepted', alerts: result.alertCount });
  }

  /** CloudWatch over SNS HTTPS: topic allow-list and signature, subscription confirmations, then the alarm. */
  async function snsSignature(event: HttpEvent, source: SourceName, route: IngestRoute): Promise<HttpResult> {
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
    const alerts = [normalizeSnsNotification(envelope, route.via, ctx)];
    const result = await accept(source, route.via, text, alerts, ctx);
    return json(200, { status: 'accepted', alerts: result.alertCount });
  }

  /** PagerDuty Events v2: the routing key in the body is the credential; answers in Events v2's own shapes. */
  async function routingKey(event: HttpEvent, source: SourceName, route: IngestRoute): Promise<HttpResult> {
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
    await accept(source, route.via, text, [normalized.alert], ctx);
    return json(202, { status: 'success', message: 'Event processed', dedup_key: normalized.dedupKey });
  }

  const byAuth: Record<IngestAuth, (event: HttpEvent, source: SourceName, route: IngestRoute) => Promise<HttpResult>> = {
    'path-token': pathToken,
    'sns-signature': snsSignature,
    'routing-key': routingKey,
  };
  const routes: RouteHandlers = Object.fromEntries(
    SOURCE_ROUTES.map(({ source, route }) => [routeKeyOf({ method: 'POST', path: route.path }), (event: HttpEvent) => byAuth[route.auth](event, source, route)]),
  );
  routes[routeKeyOf({ method: 'POST', path: EVENTBRIDGE_INGEST_PATH })] = eventBridge;

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

